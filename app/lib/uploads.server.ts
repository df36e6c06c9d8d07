export type FilesSetAside = {
  formData: FormData;
  /** Files that were larger than the limit: left out, but the rest of the form is kept. */
  oversized: { field: string; filename: string }[];
};

/**
 * Takes out of a form (read by `readForm`) every file past `fileLimit` bytes, so that the person
 * gets a message at the file's field and keeps everything else they typed. An empty file input
 * still sends a part, without a name and without content: it is left out too.
 */
export function setAsideOversizedFiles(formData: FormData, fileLimit: number): FilesSetAside {
  const kept = new FormData();
  const oversized: FilesSetAside["oversized"] = [];
  for (const [field, value] of formData) {
    if (typeof value === "string") kept.append(field, value);
    else if (value.size > fileLimit) oversized.push({ field, filename: value.name });
    else if (value.name !== "" || value.size > 0) kept.append(field, value);
  }
  return { formData: kept, oversized };
}
