/**
 * What a table's scrolling frame needs so that a keyboard can scroll it (axe-core's
 * scrollable-region-focusable): it takes focus, and says which table it holds.
 */
export const scrollRegion = (label: string) => ({ role: "region", "aria-label": label, tabIndex: 0 }) as const;
