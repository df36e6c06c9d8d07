/** "1 invitation", "3 invitations": a count with its noun, as messages say it. */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en")} ${n === 1 ? one : many}`;
}

/** "Anna, Bob and 3 others": the first few names of a larger set of `count` people. */
export function namesAndOthers(names: string[], count: number): string {
  return count > names.length ? `${names.join(", ")} and ${counted(count - names.length, "other")}` : names.join(", ");
}

/** A form field's hint when a list of choices is cut: how many more there are to find by name. */
export const notListed = (count: number, what: string) =>
  count > 0 ? `${count.toLocaleString("en")} more ${what} not listed here: find them by name.` : undefined;
