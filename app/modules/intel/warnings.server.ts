import { and, eq, isNotNull, isNull } from "drizzle-orm";
import { z } from "zod";
import { threatInputIndicators, threatInputItems, threatInputVersions } from "../../../db/schema";
import type { Db } from "~/lib/db.server";
import { AppError } from "~/lib/errors";
import type { Actor } from "../accounts/service.server";
import { indicatorReadableBy, isAnalyst, type Viewer } from "../access/gate.server";
import { recordAudit } from "../audit/audit.server";

export const clearWarningFormSchema = z.object({
  indicatorId: z.coerce.number().int().positive(),
  reason: z
    .string("Say why it is a real indicator.")
    .trim()
    .min(3, "Say why it is a real indicator.")
    .max(2000, "Keep the reason under 2,000 characters."),
});

/**
 * An analyst finds a warning-listed value to be a real indicator (a public resolver a loader
 * abuses, a shortener link to a dropper): from now on it leaves with exports and TAXII like any
 * other. Audited, without the reason (the log's readers may not read the input).
 */
export function clearIndicatorWarning(
  db: Db,
  viewer: Viewer,
  inputId: number,
  input: z.output<typeof clearWarningFormSchema>,
  actor: Actor,
  now = new Date(),
) {
  if (!isAnalyst(viewer)) throw new AppError("forbidden", "Only the taskforce's analysts clear warning-listed values.");
  db.transaction((tx) => {
    const indicator = tx
      .select({ id: threatInputIndicators.id, warnings: threatInputIndicators.warnings, clearedAt: threatInputIndicators.clearedAt })
      .from(threatInputIndicators)
      .innerJoin(threatInputItems, eq(threatInputItems.id, threatInputIndicators.itemId))
      .innerJoin(threatInputVersions, eq(threatInputVersions.id, threatInputItems.versionId))
      .where(and(eq(threatInputIndicators.id, input.indicatorId), eq(threatInputVersions.inputId, inputId), indicatorReadableBy(viewer)))
      .get();
    if (!indicator) throw new AppError("not_found", "There is no such indicator in this input.");
    const cleared = tx
      .update(threatInputIndicators)
      .set({ clearedAt: now, clearedByUserId: viewer.id, clearReason: input.reason })
      .where(and(eq(threatInputIndicators.id, indicator.id), isNotNull(threatInputIndicators.warnings), isNull(threatInputIndicators.clearedAt)))
      .run().changes;
    if (cleared === 0) {
      throw new AppError("conflict", indicator.warnings ? "This value has already been cleared." : "This value is on no warning list.", "reason");
    }
    recordAudit(tx, {
      action: "threat_input.indicator_cleared",
      actorUserId: viewer.id,
      targetType: "threat_input_indicator",
      targetId: indicator.id,
      detail: { inputId, lists: (indicator.warnings ?? []).map((warning) => warning.list) },
      origin: actor.origin,
      at: now,
    });
  });
}
