import type { AppLoadContext } from "@remix-run/node";
import { statusPage } from "./http.server";
import { formContentType, NOT_A_FORM, tooLarge } from "./request-guard.server";

const BROKEN = "This form did not arrive in a shape the portal can read. Reload the page and send it again.";

/**
 * The one way an action reads its form. The request guard has already refused other content
 * types, other methods and a Content-Length over the limit; this reader counts what really
 * arrives (a chunked body has no length), stops at the limit, and turns a body that does not
 * parse into a 400 page instead of an exception.
 */
export async function readForm(request: Request, context: AppLoadContext): Promise<FormData> {
  const header = request.headers.get("Content-Type");
  const kind = formContentType(header);
  if (!kind) statusPage(415, NOT_A_FORM);
  const bytes = await readBody(request, context);
  await context.takePlace();
  if (kind === "urlencoded") return parseUrlEncoded(bytes);
  try {
    return await new Response(bytes, { headers: { "Content-Type": header! } }).formData();
  } catch {
    statusPage(400, BROKEN);
  }
}

async function readBody(request: Request, context: AppLoadContext): Promise<Uint8Array<ArrayBuffer>> {
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      // The client went away mid-body.
      statusPage(400, BROKEN);
    }
    if (chunk.done) break;
    size += chunk.value.byteLength;
    if (size > context.bodyLimit) {
      reader.releaseLock();
      context.abandonBody();
      statusPage(413, tooLarge(context.bodyLimit));
    }
    chunks.push(chunk.value);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}

/**
 * URLSearchParams reads anything, replacing what it cannot decode; a form that is not UTF-8 or
 * has a broken %-escape would reach the module as other text than was typed. Refused instead.
 */
function parseUrlEncoded(bytes: Uint8Array): FormData {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    decodeURIComponent(text);
  } catch {
    statusPage(400, "This form's data is not well-formed: it is not UTF-8, or it has a broken %-escape.");
  }
  const form = new FormData();
  for (const [name, value] of new URLSearchParams(text)) form.append(name, value);
  return form;
}
