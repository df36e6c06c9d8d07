export const TLP_MARKS = ["TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"] as const;
export type Tlp = (typeof TLP_MARKS)[number];

const MEANING: Record<Tlp, string> = {
  "TLP:CLEAR": "Disclosure is not limited.",
  "TLP:GREEN": "Limited to the community: not for public channels.",
  "TLP:AMBER": "Limited to the recipients' organisations, on a need-to-know basis.",
  "TLP:AMBER+STRICT": "Limited to the recipients' own organisation only.",
  "TLP:RED": "For the named recipients only: not to be shared.",
};

/** The page's handling mark, in the colours TLP 2.0 prescribes (black background). */
export function HandlingMark({ tlp, position = "top" }: { tlp: Tlp; position?: "top" | "bottom" }) {
  const slug = tlp.slice(4).toLowerCase().replace("+", "-");
  return (
    <div className={`handling-mark handling-mark--${position}`} role={position === "top" ? "note" : undefined} aria-label={position === "top" ? "Handling mark" : undefined}>
      <span className={`tlp tlp--${slug}`}>{tlp}</span>
      <span className="handling-mark__meaning">{MEANING[tlp]}</span>
    </div>
  );
}
