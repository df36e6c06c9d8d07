/** "1 invitation", "3 invitations": a count with its noun, as messages say it. */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en")} ${n === 1 ? one : many}`;
}
