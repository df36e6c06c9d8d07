import type { Tlp } from "~/modules/threat-input/vocabulary";

export type { Tlp };

const MEANING: Record<Tlp, string> = {
  "TLP:CLEAR": "Disclosure is not limited.",
  "TLP:GREEN": "Limited to the community: not for public channels.",
  "TLP:AMBER": "Limited to the recipients' organisations, on a need-to-know basis.",
  "TLP:AMBER+STRICT": "Limited to the recipients' own organisation only.",
  "TLP:RED": "For the named recipients only: not to be shared.",
};

/**
 * The page's handling mark, in the colours TLP 2.0 prescribes (black background). The top one is
 * a named region and the bottom one the page's footer, so that every part of the page sits in a
 * landmark and a screen reader can jump to the mark.
 */
export function HandlingMark({ tlp, position = "top" }: { tlp: Tlp; position?: "top" | "bottom" }) {
  const slug = tlp.slice(4).toLowerCase().replace("+", "-");
  const content = (
    <>
      <span className={`tlp tlp--${slug}`}>{tlp}</span>
      <span className="handling-mark__meaning">{MEANING[tlp]}</span>
    </>
  );
  return position === "top" ? (
    <section className="handling-mark handling-mark--top" aria-label="Handling mark">
      {content}
    </section>
  ) : (
    <footer className="handling-mark handling-mark--bottom">{content}</footer>
  );
}
