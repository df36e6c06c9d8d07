// Small readers of the portal's server-rendered HTML, enough for assertions on pages.

export function decode(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&");
}

/** Text of a piece of HTML: tags dropped, entities decoded, whitespace collapsed. */
export function textOf(html: string): string {
  return decode(html.replace(/<!--[\s\S]*?-->/g, "").replace(/<[^>]+>/g, " "))
    .replace(/\s+/g, " ")
    .trim();
}

/** The text of the page's <main> element. */
export function mainText(html: string): string {
  const match = html.match(/<main\b[^>]*>([\s\S]*?)<\/main>/);
  if (!match) throw new Error(`no <main> in the page:\n${html.slice(0, 2000)}`);
  return textOf(match[1]!);
}

/** The opening tag of the element with this id, or undefined. */
export function tagWithId(html: string, id: string): string | undefined {
  return html.match(new RegExp(`<[a-z]+\\b[^>]*\\sid="${id}"[^>]*>`))?.[0];
}

/** The text inside the element with this id (for elements that do not nest their own kind). */
export function textOfId(html: string, id: string): string | undefined {
  const match = html.match(new RegExp(`<([a-z]+)\\b[^>]*\\sid="${id}"[^>]*>([\\s\\S]*?)</\\1>`));
  return match ? textOf(match[2]!) : undefined;
}

/** An attribute of an opening tag, decoded; undefined when absent. */
export function attr(tag: string | undefined, name: string): string | undefined {
  if (!tag) return undefined;
  const match = tag.match(new RegExp(`\\s${name}="([^"]*)"`));
  return match ? decode(match[1]!) : undefined;
}

/** Every opening <script> tag of the page. */
export function scriptTags(html: string): string[] {
  return html.match(/<script\b[^>]*>/g) ?? [];
}

/** Cells of each body row of the page's first table, as text. */
export function tableRows(html: string): string[][] {
  const body = html.match(/<tbody\b[^>]*>([\s\S]*?)<\/tbody>/)?.[1] ?? "";
  return [...body.matchAll(/<tr\b[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<td\b[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => textOf(cell[1]!)),
  );
}

/** Parses a Set-Cookie header into its name, value and attributes (lower-cased names). */
export function parseSetCookie(header: string) {
  const [pair, ...rest] = header.split(";").map((part) => part.trim());
  const index = pair!.indexOf("=");
  const attributes = new Map<string, string>();
  for (const part of rest) {
    const eq = part.indexOf("=");
    if (eq === -1) attributes.set(part.toLowerCase(), "");
    else attributes.set(part.slice(0, eq).toLowerCase(), part.slice(eq + 1));
  }
  return { name: pair!.slice(0, index), value: pair!.slice(index + 1), attributes };
}

/** An error page's text without its request reference, which differs from request to request. */
export const withoutReference = (text: string) => text.replace(/ Quote this reference: [0-9a-f]{12}/, "");

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => T | undefined, timeoutMs = 10_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** The values of the ticked checkboxes with this name. */
export function checkedValues(html: string, name: string): string[] {
  return (html.match(/<input\b[^>]*>/g) ?? [])
    .filter((tag) => attr(tag, "type") === "checkbox" && attr(tag, "name") === name && attr(tag, "checked") !== undefined)
    .map((tag) => attr(tag, "value")!);
}

/** The value of the selected option of the <select> with this id. */
export function selectedValue(html: string, id: string): string | undefined {
  const select = html.match(new RegExp(`<select\\b[^>]*\\sid="${id}"[^>]*>([\\s\\S]*?)</select>`))?.[1];
  const option = select?.match(/<option\b[^>]*\sselected=""[^>]*>/)?.[0];
  return attr(option, "value");
}

/** The text a <textarea> holds, exactly: line breaks kept, entities decoded. */
export function textareaValue(html: string, id: string): string | undefined {
  const match = html.match(new RegExp(`<textarea\\b[^>]*\\sid="${id.replace(/\./g, "\\.")}"[^>]*>([\\s\\S]*?)</textarea>`));
  // The HTML parser drops one line break right after the opening tag; React writes one when the value starts with one.
  return match ? decode(match[1]!).replace(/^\n/, "") : undefined;
}

/** Cells of each body row of the page's first table, row headers (th) included, as text. */
export function tableRowsWithHeaders(html: string): string[][] {
  const body = html.match(/<tbody\b[^>]*>([\s\S]*?)<\/tbody>/)?.[1] ?? "";
  return [...body.matchAll(/<tr\b[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<t[hd]\b[^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => textOf(cell[1]!)),
  );
}
