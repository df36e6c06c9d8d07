import { unstable_parseMultipartFormData, type UploadHandler } from "@remix-run/node";

export type MultipartForm = {
  formData: FormData;
  /** Files that were larger than the limit: left out, but the rest of the form is read. */
  oversized: { field: string; filename: string }[];
};

/**
 * Reads a multipart form (or a plain one) in memory. A file past `fileLimit` bytes is drained and
 * dropped rather than failing the whole request, so that the person gets a message at the file's
 * field and keeps everything else they typed. A text field past `textLimit` is a broken request.
 */
export async function readForm(request: Request, limits: { fileLimit: number; textLimit: number }): Promise<MultipartForm> {
  const contentType = request.headers.get("Content-Type") ?? "";
  if (!contentType.startsWith("multipart/form-data")) return { formData: await request.formData(), oversized: [] };
  const oversized: MultipartForm["oversized"] = [];
  const handler: UploadHandler = async ({ name, filename, contentType: partType, data }) => {
    const limit = filename === undefined ? limits.textLimit : limits.fileLimit;
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of data) {
      size += chunk.byteLength;
      if (size <= limit) chunks.push(chunk);
    }
    if (filename === undefined) {
      if (size > limit) throw new Response("A field of this form is too large.", { status: 413 });
      return new TextDecoder().decode(concat(chunks, size));
    }
    // An empty file input still sends a part, without a name and without content.
    if (filename === "" && size === 0) return undefined;
    if (size > limit) {
      oversized.push({ field: name, filename });
      return undefined;
    }
    return new File([concat(chunks, size)], filename, { type: partType });
  };
  return { formData: await unstable_parseMultipartFormData(request, handler), oversized };
}

function concat(chunks: Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}
