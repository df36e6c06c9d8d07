/**
 * A slot's answers as one stacked bar (yes, if need be, no, silent), so that the best slots
 * stand out at a glance; the numbers stay beside it in text for screen readers.
 */
export function VoteBar({ yes, ifNeedBe, no, invited }: { yes: number; ifNeedBe: number; no: number; invited: number }) {
  const total = Math.max(invited, yes + ifNeedBe + no, 1);
  const width = 160;
  const parts = [
    { key: "yes", value: yes },
    { key: "if-need-be", value: ifNeedBe },
    { key: "no", value: no },
  ];
  let x = 0;
  return (
    <svg className="vote-bar" width={width} height="12" viewBox={`0 0 ${width} 12`} aria-hidden="true" focusable="false">
      <rect className="vote-bar__silent" x="0" y="0" width={width} height="12" rx="2" />
      {parts.map((part) => {
        const w = (part.value / total) * width;
        const rect = <rect key={part.key} className={`vote-bar__${part.key}`} x={x} y="0" width={w} height="12" />;
        x += w;
        return rect;
      })}
    </svg>
  );
}
