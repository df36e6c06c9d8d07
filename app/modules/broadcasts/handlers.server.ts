import { CONSULTATION_BROADCASTS } from "../consultations/service.server";
import { MEETING_BROADCASTS } from "../scheduling/service.server";
import { THREAT_INPUT_BROADCASTS } from "../threat-input/service.server";
import type { BroadcastHandlers } from "./service.server";

/** Who composes each kind of broadcast: the modules that know the people and the words. */
export const BROADCAST_HANDLERS: BroadcastHandlers = { ...CONSULTATION_BROADCASTS, ...MEETING_BROADCASTS, ...THREAT_INPUT_BROADCASTS };
