import { data, type AppLoadContext } from "@remix-run/node";
import { AppError } from "./errors";
import { formFailure, type FormFailure, type FormValues } from "./forms";
import { currentRequestId, noteRefusal } from "./logger.server";

export function requestOrigin(request: Request, context: AppLoadContext) {
  return { ip: context.clientAddress, userAgent: request.headers.get("User-Agent") };
}

/**
 * A thrown status page, rendered by the one shared error boundary. It carries the request's id,
 * so that the page shows the reference of the request that failed, even after a client-side
 * navigation.
 */
export function statusPage(status: number, message: string): never {
  noteRefusal(message);
  throw data({ message, requestId: currentRequestId() }, { status });
}

export function notFound(message = "There is nothing at this address."): never {
  statusPage(404, message);
}

/**
 * Runs a module call for an action. An AppError becomes the form's own message (at its field
 * when it names one) with the user's values kept; anything else propagates as a bug.
 */
export function attempt<T>(values: FormValues, run: () => T): { ok: true; result: T } | FormFailure {
  try {
    return { ok: true, result: run() };
  } catch (error) {
    if (error instanceof AppError) {
      if (error.code === "not_found") notFound(error.message);
      if (error.code === "forbidden") statusPage(403, error.message);
      return { ...formFailure(values, error.message, error.field), status: error.status };
    }
    throw error;
  }
}

/** A module's AppError as the status page it means; anything else thrown on. */
function asStatusPage(error: unknown): never {
  if (error instanceof AppError) statusPage(error.status, error.message);
  throw error;
}

/** A module's AppError as the status page it means; used where no form is involved. */
export function orStatusPage<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    return asStatusPage(error);
  }
}

/** orStatusPage for work that answers later (a page computed off the event loop). */
export const orStatusPageSoon = <T>(run: () => Promise<T>): Promise<T> => run().catch(asStatusPage);

export function parseId(value: string | undefined): number {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id <= 0) notFound();
  return id;
}
