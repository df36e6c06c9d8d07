import type { Role } from "~/modules/accounts/vocabulary";

/** Who is asking: what the need-to-know gate decides on. An Account satisfies it. */
export type Viewer = { id: number; roles: readonly Role[]; organisationId: number | null };

/**
 * The viewer as the gate sees them, and nothing else of an account: what a kept or off-thread
 * computation is handed, that it can depend on nothing the gate does not decide on.
 */
export const gateViewer = (viewer: Viewer): Viewer => ({ id: viewer.id, roles: viewer.roles, organisationId: viewer.organisationId });

/** Taskforce staff, who work with every consultation. */
export const isTaskforceStaff = (viewer: Pick<Viewer, "roles">) =>
  viewer.roles.includes("coordinator") || viewer.roles.includes("analyst");

export const isAnalyst = (viewer: Pick<Viewer, "roles">) => viewer.roles.includes("analyst");

/** A stakeholder acting for the organisation they belong to now. */
export const isStakeholder = (viewer: Viewer): viewer is Viewer & { organisationId: number } =>
  viewer.roles.includes("stakeholder") && viewer.organisationId !== null;
