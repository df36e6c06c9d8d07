import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { readForm } from "~/lib/form-reader.server";
import { formValues } from "~/lib/forms";
import { orStatusPage, parseId, requestOrigin } from "~/lib/http.server";
import { requireUser } from "~/modules/auth/guard.server";
import { exportFormSchema } from "~/modules/assessment/schema";
import { exportEdition, type ExportFile } from "~/modules/assessment/service.server";

const formatSchema = z.enum(["stix", "csv"]);

function download(file: ExportFile): Response {
  return new Response(file.body, {
    headers: {
      "Content-Type": file.contentType,
      "Content-Disposition": `attachment; filename="${file.filename}"`,
      "Cache-Control": "no-store",
      // The handling mark travels with the file for anyone who looks at the response.
      "X-TLP": file.tlp,
    },
  });
}

/** A default export: nothing TLP:RED, nothing the organisations kept from onward sharing. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireUser(request);
  const id = parseId(params.editionId);
  const format = formatSchema.safeParse(params.format);
  if (!format.success) throw new Response("There is no such export.", { status: 404 });
  const actor = { userId: viewer.id, origin: requestOrigin(request, context), appUrl: getEnv().APP_URL };
  return download(orStatusPage(() => exportEdition(getDb(), viewer, id, { format: format.data }, actor)));
}

/** An export with the TLP:RED items, for a recipient the analyst names and confirms. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = await requireUser(request);
  const id = parseId(params.editionId);
  if (params.format !== "named") throw new Response("There is no such export.", { status: 404 });
  const values = formValues(await readForm(request, context));
  const form = exportFormSchema.safeParse(values);
  if (!form.success) {
    // Back to the edition's form with the schema's own message and field, and what was typed
    // only where it fits its field: a value past its limit would make the address, and the
    // Location header, as large as itself.
    const issue = form.error.issues[0]!;
    const recipient = typeof values.recipient === "string" ? values.recipient : "";
    const back = new URLSearchParams({
      exportError: issue.message,
      field: String(issue.path[0] ?? "recipient"),
      recipient: recipient.length <= (exportFormSchema.shape.recipient.maxLength ?? 0) ? recipient : "",
      format: exportFormSchema.shape.format.safeParse(values.format).data ?? "stix",
    });
    return redirect(`/assessments/${id}?${back}#export-title`);
  }
  const actor = { userId: viewer.id, origin: requestOrigin(request, context), appUrl: getEnv().APP_URL };
  return download(
    orStatusPage(() => exportEdition(getDb(), viewer, id, { format: form.data.format, recipient: form.data.recipient }, actor)),
  );
}
