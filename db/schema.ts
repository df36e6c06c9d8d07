import { sql } from "drizzle-orm";
import {
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";
import { ROLES, TIME_ZONE_SOURCES } from "../app/modules/accounts/vocabulary";
import { EDITION_STATUSES, ENTITY_KINDS, TARGET_KINDS, TARGET_STATES } from "../app/modules/assessment/vocabulary";
import { CONSULTATION_STATUSES } from "../app/modules/consultations/vocabulary";
import { OUTBOX_STATUSES } from "../app/modules/mail/vocabulary";
import { ORGANISATION_KINDS, SECTORS } from "../app/modules/organisations/vocabulary";
import { MEETING_STATUSES, RSVP_RESPONSES, VOTE_ANSWERS } from "../app/modules/scheduling/vocabulary";
import {
  ATTRIBUTIONS,
  CRIME_AREAS,
  INFORMATION_CREDIBILITY,
  ITEM_ENTITY_KINDS,
  SOURCE_RELIABILITY,
  THREAT_INPUT_STATUSES,
  TLP_MARKS,
  TRENDS,
  TRIAGE_STATES,
  type CrimeArea,
  type TargetedSector,
  type ThreatActor,
} from "../app/modules/threat-input/vocabulary";

// The product's vocabulary lives in the modules, in plain files a page can import without
// drizzle (docs/decisions/023). The columns below take their enums from there; the server code
// that reads tables and vocabulary together may keep taking both from here.
export * from "../app/modules/accounts/vocabulary";
export * from "../app/modules/assessment/vocabulary";
export * from "../app/modules/consultations/vocabulary";
export * from "../app/modules/mail/vocabulary";
export * from "../app/modules/organisations/vocabulary";
export * from "../app/modules/scheduling/vocabulary";
export * from "../app/modules/threat-input/vocabulary";

// Times are stored as epoch milliseconds (UTC); the IANA zone a person lives in is kept beside
// them on the user so that every page can show times in the viewer's own zone.
const createdAt = (column = "created_at") =>
  integer(column, { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`);

export const organisations = sqliteTable(
  "organisations",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    sector: text("sector", { enum: SECTORS }).notNull(),
    country: text("country").notNull(),
    kind: text("kind", { enum: ORGANISATION_KINDS }).notNull(),
    // How reliable the organisation usually is as a source; pre-fills each item it reports.
    usualSourceReliability: text("usual_source_reliability", { enum: SOURCE_RELIABILITY }),
    // Short names and other names people use for it: text that may not name it is checked for these too.
    aliases: text("aliases", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    // An inactive organisation's members can neither sign in nor keep a session.
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }),
    deactivatedAt: integer("deactivated_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    uniqueIndex("organisations_name_unique").on(sql`lower(${t.name})`),
    // The admin list's order (name, then id: the rowid every index carries).
    index("organisations_name_idx").on(t.name),
  ],
);

export const users = sqliteTable(
  "users",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    email: text("email").notNull(),
    // Taskforce staff belong to no stakeholder organisation; stakeholders always to one.
    organisationId: integer("organisation_id").references(() => organisations.id, {
      onDelete: "restrict",
    }),
    timeZone: text("time_zone").notNull().default("Europe/Amsterdam"),
    locale: text("locale").notNull().default("en-GB"),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    // "default" until someone chooses a zone or the browser tells it at the first sign-in.
    timeZoneSource: text("time_zone_source", { enum: TIME_ZONE_SOURCES }).notNull().default("default"),
    lastSignedInAt: integer("last_signed_in_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }),
    deactivatedAt: integer("deactivated_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    uniqueIndex("users_email_unique").on(sql`lower(${t.email})`),
    index("users_organisation_idx").on(t.organisationId),
    // The people list's and a consultation's invitees' order.
    index("users_name_idx").on(t.name),
  ],
);

export const roleGrants = sqliteTable(
  "role_grants",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ROLES }).notNull(),
    grantedAt: createdAt("granted_at"),
    grantedBy: integer("granted_by").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.role] }),
    // Who holds a role (the analysts a submit tells, or a TLP:RED item may go to): read from the
    // few grants, not by walking every person.
    index("role_grants_role_idx").on(t.role, t.userId),
  ],
);

export const sessions = sqliteTable(
  "sessions",
  {
    // SHA-256 of the cookie's token: a copy of the table does not let anyone sign in.
    idHash: text("id_hash").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    lastSeenAt: integer("last_seen_at", { mode: "timestamp_ms" }).notNull(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    // A message for the next page this session loads ("Your answers are saved."), shown once.
    flash: text("flash", { mode: "json" }).$type<Flash>(),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/** What an action tells the person on the page it sends them to; the id tells two apart. */
export type Flash = { id: string; message: string };

/**
 * Forms that create or send something, as each was first answered: a repeat of the post (a
 * double click, a resend, twenty at once) with the same one-time key gets the same answer, and
 * the same key with other content is refused. Written in the transaction of the change itself.
 */
export const idempotentRequests = sqliteTable(
  "idempotent_requests",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    // The path the form was posted to, and its intent: one rendered page may hold several forms.
    form: text("form").notNull(),
    key: text("key").notNull(),
    // SHA-256 of the form's fields, to tell a repeat from other content under the same key.
    contentHash: text("content_hash").notNull(),
    // The first answer: where it sent the person, and what it told them there.
    location: text("location").notNull(),
    status: integer("status").notNull(),
    message: text("message").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.form, t.key] }), index("idempotent_requests_created_idx").on(t.createdAt)],
);

export const signInTokens = sqliteTable(
  "sign_in_tokens",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    tokenHash: text("token_hash").notNull().unique(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    usedAt: integer("used_at", { mode: "timestamp_ms" }),
    requestedIp: text("requested_ip"),
  },
  (t) => [index("sign_in_tokens_user_idx").on(t.userId)],
);

export const outbox = sqliteTable(
  "outbox",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    // Fixed when the message is written, so that every retry carries the same Message-ID and
    // a receiving server (or a person) can tell a retry from a second message.
    messageId: text("message_id").notNull().unique(),
    // Set by callers that must never send a message twice (one reminder per meeting and person).
    dedupeKey: text("dedupe_key").unique(),
    template: text("template").notNull(),
    toAddress: text("to_address").notNull(),
    subject: text("subject").notNull(),
    html: text("html").notNull(),
    text: text("text").notNull(),
    // Extra nodemailer fields (calendar parts, attachments) as JSON, validated when read.
    extra: text("extra", { mode: "json" }),
    status: text("status", { enum: OUTBOX_STATUSES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at", { mode: "timestamp_ms" }).notNull(),
    leaseOwner: text("lease_owner"),
    leaseUntil: integer("lease_until", { mode: "timestamp_ms" }),
    lastError: text("last_error"),
    // Mail about a consultation, to a person: withdrawn while unsent if the person loses access.
    consultationId: integer("consultation_id").references(() => consultations.id, { onDelete: "cascade" }),
    recipientUserId: integer("recipient_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    sentAt: integer("sent_at", { mode: "timestamp_ms" }),
    deadAt: integer("dead_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    index("outbox_due_idx").on(t.status, t.nextAttemptAt),
    // A worker's heartbeat renews the leases it holds; a worker that stops frees them.
    index("outbox_lease_owner_idx").on(t.leaseOwner),
    // The admins' list of mail with trouble, newest first; the condition is troubledMail's.
    index("outbox_troubled_idx")
      .on(t.createdAt)
      .where(sql`(case when ${t.status} = 'dead' then 1 when ${t.status} = 'pending' and ${t.attempts} > 0 then 1 else 0 end) = 1`),
  ],
);

/**
 * Mail to many people, composed off the request path: the change that causes it commits with one
 * row here, and the worker writes the messages to the outbox a batch of people at a time, each
 * batch in one transaction with the cursor (the last person's id), so that nothing is lost or
 * doubled if the process dies halfway.
 */
export const broadcasts = sqliteTable(
  "broadcasts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    kind: text("kind").notNull(),
    payload: text("payload", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    cursor: integer("cursor").notNull().default(0),
    sent: integer("sent").notNull().default(0),
    createdAt: createdAt(),
    doneAt: integer("done_at", { mode: "timestamp_ms" }),
    // A batch that throws is rolled back and tried again later with growing pauses; after a few
    // failures the broadcast is set aside, shown to the admins, so that it does not hold back the
    // broadcasts after it (the worker takes the oldest due).
    failures: integer("failures").notNull().default(0),
    lastError: text("last_error"),
    nextAttemptAt: integer("next_attempt_at", { mode: "timestamp_ms" }),
    setAsideAt: integer("set_aside_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("broadcasts_pending_idx").on(t.doneAt, t.id)],
);

// What the changes that joined a broadcast (joinBroadcast) tell of, one row each, in the order
// they joined: appended as rows, a burst of a thousand submits is not a JSON list rewritten whole
// at each of them.
export const broadcastEntries = sqliteTable(
  "broadcast_entries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    broadcastId: integer("broadcast_id")
      .notNull()
      .references(() => broadcasts.id, { onDelete: "cascade" }),
    entry: text("entry", { mode: "json" }).$type<unknown>().notNull(),
  },
  (t) => [index("broadcast_entries_broadcast_idx").on(t.broadcastId, t.id)],
);

// The outbox workers that run, or ran: a worker's row is its identity and its heartbeat. A lease
// belongs to one worker (outbox.lease_owner is its id) and lives as long as its heartbeat.
export const mailWorkers = sqliteTable("mail_workers", {
  id: text("id").primaryKey(),
  // The host name, and the boot and process namespace in which `pid` means this process: on the
  // same machine key a worker whose process is gone is known dead at once.
  machine: text("machine").notNull(),
  pid: integer("pid").notNull(),
  startedAt: integer("started_at", { mode: "timestamp_ms" }).notNull(),
  heartbeatAt: integer("heartbeat_at", { mode: "timestamp_ms" }).notNull(),
});

// The demo mailbox: where mail lands when no SMTP server is configured (local `npm start`).
export const mailboxMessages = sqliteTable("mailbox_messages", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  outboxId: integer("outbox_id").references(() => outbox.id, { onDelete: "set null" }),
  messageId: text("message_id").notNull(),
  toAddress: text("to_address").notNull(),
  subject: text("subject").notNull(),
  html: text("html").notNull(),
  text: text("text").notNull(),
  raw: text("raw").notNull(),
  receivedAt: createdAt("received_at"),
});

export const auditEvents = sqliteTable(
  "audit_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: createdAt("at"),
    actorUserId: integer("actor_user_id").references(() => users.id, { onDelete: "set null" }),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    detail: text("detail", { mode: "json" }).$type<Record<string, unknown>>(),
  },
  (t) => [
    index("audit_events_at_idx").on(t.at),
    index("audit_events_actor_idx").on(t.actorUserId),
    index("audit_events_target_idx").on(t.targetType, t.targetId),
  ],
);

// ---------------------------------------------------------------------------------------------
// Consultations and meeting scheduling

export const consultations = sqliteTable("consultations", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  title: text("title").notNull(),
  description: text("description").notNull().default(""),
  crimeAreas: text("crime_areas", { mode: "json" }).$type<CrimeArea[]>().notNull(),
  inputDeadline: integer("input_deadline", { mode: "timestamp_ms" }).notNull(),
  // The zone the deadline was entered in, so that it can be shown the way it was meant.
  deadlineTimeZone: text("deadline_time_zone").notNull(),
  status: text("status", { enum: CONSULTATION_STATUSES }).notNull().default("draft"),
  coordinatorUserId: integer("coordinator_user_id")
    .notNull()
    .references(() => users.id, { onDelete: "restrict" }),
  createdAt: createdAt(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }),
  openedAt: integer("opened_at", { mode: "timestamp_ms" }),
  closedAt: integer("closed_at", { mode: "timestamp_ms" }),
},
  // The consultations list's order, newest first, whatever its filter.
  (t) => [index("consultations_created_idx").on(t.createdAt)],
);

/** Organisations chosen for a consultation: all their active members are invited. */
export const consultationOrganisations = sqliteTable(
  "consultation_organisations",
  {
    consultationId: integer("consultation_id")
      .notNull()
      .references(() => consultations.id, { onDelete: "cascade" }),
    organisationId: integer("organisation_id")
      .notNull()
      .references(() => organisations.id, { onDelete: "restrict" }),
  },
  (t) => [primaryKey({ columns: [t.consultationId, t.organisationId] })],
);

/**
 * People chosen by name, and when each person was sent the invitation (members of the chosen
 * organisations get a row when their invitation goes out). A row grants nothing by itself: who
 * a consultation reaches is decided by the need-to-know gate (app/modules/access), from the
 * chosen organisations and the by-name choices that still hold.
 */
export const consultationInvitees = sqliteTable(
  "consultation_invitees",
  {
    consultationId: integer("consultation_id")
      .notNull()
      .references(() => consultations.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    // Chosen by name rather than through their organisation.
    byName: integer("by_name", { mode: "boolean" }).notNull().default(false),
    // The organisation the person belonged to when chosen (null for taskforce staff): a by-name
    // invitation holds only while they still belong to it.
    organisationId: integer("organisation_id").references(() => organisations.id, { onDelete: "restrict" }),
    invitedAt: integer("invited_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    primaryKey({ columns: [t.consultationId, t.userId] }),
    index("consultation_invitees_user_idx").on(t.userId),
  ],
);

export const meetings = sqliteTable(
  "meetings",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    // The meeting's identity in every calendar (iCalendar UID), never changed.
    uid: text("uid").notNull().unique(),
    consultationId: integer("consultation_id")
      .notNull()
      .references(() => consultations.id, { onDelete: "cascade" }),
    organiserUserId: integer("organiser_user_id")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    title: text("title").notNull(),
    agenda: text("agenda").notNull().default(""),
    durationMinutes: integer("duration_minutes").notNull(),
    place: text("place"),
    videoUrl: text("video_url"),
    timeZone: text("time_zone").notNull(),
    status: text("status", { enum: MEETING_STATUSES }).notNull().default("polling"),
    // Grows with every change invitees must hear of (the iCalendar SEQUENCE).
    revision: integer("revision").notNull().default(0),
    startsAt: integer("starts_at", { mode: "timestamp_ms" }),
    endsAt: integer("ends_at", { mode: "timestamp_ms" }),
    // Banks invited together are often competitors: names stay hidden unless this is set.
    attendeeListOpen: integer("attendee_list_open", { mode: "boolean" }).notNull().default(false),
    // Under AMBER+STRICT or RED, calendars and mail carry a neutral title and the link only.
    tlp: text("tlp", { enum: TLP_MARKS }).notNull().default("TLP:AMBER"),
    minutes: text("minutes"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }),
    finalisedAt: integer("finalised_at", { mode: "timestamp_ms" }),
    cancelledAt: integer("cancelled_at", { mode: "timestamp_ms" }),
    // The start time whose day-before reminders have been queued (as one broadcast): a meeting
    // moved since has a new start, and its reminders are queued again for it.
    remindedFor: integer("reminded_for", { mode: "timestamp_ms" }),
  },
  (t) => [
    // A consultation's meetings, newest first; also every look-up by consultation.
    index("meetings_consultation_created_idx").on(t.consultationId, t.createdAt),
    // The home page's meetings to come (soonest first) and polls (oldest first).
    index("meetings_status_starts_idx").on(t.status, t.startsAt),
    index("meetings_status_created_idx").on(t.status, t.createdAt),
    // The same for the taskforce staff who organise them: their own among everyone's.
    index("meetings_organiser_status_starts_idx").on(t.organiserUserId, t.status, t.startsAt),
  ],
);

export const meetingSlots = sqliteTable(
  "meeting_slots",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    meetingId: integer("meeting_id")
      .notNull()
      .references(() => meetings.id, { onDelete: "cascade" }),
    startsAt: integer("starts_at", { mode: "timestamp_ms" }).notNull(),
    endsAt: integer("ends_at", { mode: "timestamp_ms" }).notNull(),
    // The zone the coordinator proposed it in.
    timeZone: text("time_zone").notNull(),
  },
  (t) => [uniqueIndex("meeting_slots_unique").on(t.meetingId, t.startsAt)],
);

export const slotVotes = sqliteTable(
  "slot_votes",
  {
    slotId: integer("slot_id")
      .notNull()
      .references(() => meetingSlots.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    answer: text("answer", { enum: VOTE_ANSWERS }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.slotId, t.userId] })],
);

export const meetingRsvps = sqliteTable(
  "meeting_rsvps",
  {
    meetingId: integer("meeting_id")
      .notNull()
      .references(() => meetings.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    response: text("response", { enum: RSVP_RESPONSES }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.meetingId, t.userId] })],
);

export const meetingAttendance = sqliteTable(
  "meeting_attendance",
  {
    meetingId: integer("meeting_id")
      .notNull()
      .references(() => meetings.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    attended: integer("attended", { mode: "boolean" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.meetingId, t.userId] })],
);

export const meetingActionItems = sqliteTable("meeting_action_items", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  meetingId: integer("meeting_id")
    .notNull()
    .references(() => meetings.id, { onDelete: "cascade" }),
  title: text("title").notNull(),
  ownerUserId: integer("owner_user_id").references(() => users.id, { onDelete: "set null" }),
  // A calendar date (YYYY-MM-DD), not an instant: due "on the 3rd" wherever the owner is.
  dueOn: text("due_on"),
  done: integer("done", { mode: "boolean" }).notNull().default(false),
  createdAt: createdAt(),
});

// ---------------------------------------------------------------------------------------------
// Calendar

/** A person's private subscription feed; the URL's token is stored only as its hash. */
export const calendarFeeds = sqliteTable("calendar_feeds", {
  userId: integer("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  tokenHash: text("token_hash").notNull().unique(),
  createdAt: createdAt(),
});

// ---------------------------------------------------------------------------------------------
// Threat input

/**
 * One organisation's input to one consultation. The draft (what the form held when last saved,
 * valid or not) lives here; each submission freezes a version below.
 */
export const threatInputs = sqliteTable(
  "threat_inputs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    consultationId: integer("consultation_id")
      .notNull()
      .references(() => consultations.id, { onDelete: "cascade" }),
    organisationId: integer("organisation_id")
      .notNull()
      .references(() => organisations.id, { onDelete: "restrict" }),
    status: text("status", { enum: THREAT_INPUT_STATUSES }).notNull().default("draft"),
    triageState: text("triage_state", { enum: TRIAGE_STATES }).notNull().default("new"),
    triageReason: text("triage_reason"),
    triagedByUserId: integer("triaged_by_user_id").references(() => users.id, { onDelete: "set null" }),
    triagedAt: integer("triaged_at", { mode: "timestamp_ms" }),
    // The form's fields as typed, so that a half-done draft comes back exactly.
    draft: text("draft", { mode: "json" }).$type<Record<string, string | string[]>>(),
    draftSavedAt: integer("draft_saved_at", { mode: "timestamp_ms" }),
    draftSavedByUserId: integer("draft_saved_by_user_id").references(() => users.id, { onDelete: "set null" }),
    currentVersion: integer("current_version").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }),
    submittedAt: integer("submitted_at", { mode: "timestamp_ms" }),
    withdrawnAt: integer("withdrawn_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    uniqueIndex("threat_inputs_consultation_organisation_unique").on(t.consultationId, t.organisationId),
    // The count of input awaiting triage, which every analyst's page shows, is read from this
    // index alone: current_version is the staff's "once submitted" rule (the need-to-know gate).
    index("threat_inputs_triage_idx").on(t.status, t.triageState, t.currentVersion),
    // The triage queue, newest first (keyset on submitted_at, id), an organisation's inputs, and
    // a consultation's inputs in the triage order.
    index("threat_inputs_submitted_idx").on(t.submittedAt, t.id),
    index("threat_inputs_organisation_idx").on(t.organisationId),
    index("threat_inputs_consultation_submitted_idx").on(t.consultationId, t.submittedAt, t.id),
  ],
);

/** A submitted state of an input, frozen; a revision adds one, the earlier ones stay readable. */
export const threatInputVersions = sqliteTable(
  "threat_input_versions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    inputId: integer("input_id")
      .notNull()
      .references(() => threatInputs.id, { onDelete: "cascade" }),
    number: integer("number").notNull(),
    submittedByUserId: integer("submitted_by_user_id").references(() => users.id, { onDelete: "set null" }),
    submittedAt: integer("submitted_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [uniqueIndex("threat_input_versions_number_unique").on(t.inputId, t.number)],
);

export const threatInputItems = sqliteTable(
  "threat_input_items",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    versionId: integer("version_id")
      .notNull()
      .references(() => threatInputVersions.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    crimeArea: text("crime_area", { enum: CRIME_AREAS }).notNull(),
    title: text("title").notNull(),
    // Calendar dates (YYYY-MM-DD); no end date means still going on.
    observedFrom: text("observed_from").notNull(),
    observedTo: text("observed_to"),
    trend: text("trend", { enum: TRENDS }).notNull(),
    impact: integer("impact").notNull(),
    likelihood: integer("likelihood").notNull(),
    sectors: text("sectors", { mode: "json" }).$type<TargetedSector[]>().notNull(),
    countries: text("countries", { mode: "json" }).$type<string[]>().notNull(),
    actors: text("actors", { mode: "json" }).$type<ThreatActor[]>().notNull(),
    malware: text("malware", { mode: "json" }).$type<string[]>().notNull(),
    techniques: text("techniques", { mode: "json" }).$type<string[]>().notNull(),
    sourceReliability: text("source_reliability", { enum: SOURCE_RELIABILITY }).notNull(),
    informationCredibility: text("information_credibility", { enum: INFORMATION_CREDIBILITY }).notNull(),
    tlp: text("tlp", { enum: TLP_MARKS }).notNull(),
    // Whether the taskforce may pass it on to its member agencies.
    shareOnward: integer("share_onward", { mode: "boolean" }).notNull(),
    attribution: text("attribution", { enum: ATTRIBUTIONS }).notNull(),
    narrative: text("narrative").notNull(),
    recommendedActions: text("recommended_actions").notNull(),
    // An analyst's grade, where it differs from the submitter's, with the reason.
    gradedSourceReliability: text("graded_source_reliability", { enum: SOURCE_RELIABILITY }),
    gradedInformationCredibility: text("graded_information_credibility", { enum: INFORMATION_CREDIBILITY }),
    gradeNote: text("grade_note"),
    gradedByUserId: integer("graded_by_user_id").references(() => users.id, { onDelete: "set null" }),
    gradedAt: integer("graded_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    index("threat_input_items_version_idx").on(t.versionId),
    index("threat_input_items_area_idx").on(t.crimeArea),
    // Whether a reader reads any TLP:RED item of the published editions (the frozen figures' audience).
    index("threat_input_items_tlp_idx").on(t.tlp),
  ],
);

export const threatInputIndicators = sqliteTable(
  "threat_input_indicators",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    itemId: integer("item_id")
      .notNull()
      .references(() => threatInputItems.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    value: text("value").notNull(),
    comment: text("comment"),
    // The MISP warning lists the value is on, and why, as checked when it was submitted (null:
    // on none). Such a value stays out of exports and TAXII unless an analyst clears it.
    warnings: text("warnings", { mode: "json" }).$type<IndicatorWarning[]>(),
    // When the value was checked against the lists: rows from before the lists are checked once.
    warningsCheckedAt: integer("warnings_checked_at", { mode: "timestamp_ms" }),
    // The organisation's note when it kept a warning-listed value ("# keep: ..." after it).
    keepNote: text("keep_note"),
    // An analyst who found a warning-listed value to be a real indicator, and why (audited).
    clearedAt: integer("cleared_at", { mode: "timestamp_ms" }),
    clearedByUserId: integer("cleared_by_user_id").references(() => users.id, { onDelete: "set null" }),
    clearReason: text("clear_reason"),
  },
  (t) => [
    uniqueIndex("threat_input_indicators_unique").on(t.itemId, t.type, t.value),
    // Corroboration: the same indicator reported by other organisations.
    index("threat_input_indicators_value_idx").on(t.type, t.value),
    index("threat_input_indicators_unchecked_idx").on(t.id).where(sql`${t.warningsCheckedAt} is null`),
  ],
);

export type IndicatorWarning = { list: string; name: string; why: string };

/**
 * What an item names, one row a thing, filed under its resolved key (app/modules/reference:
 * the reference lists' name where they know it, letters and digits only): what correlation and
 * search look up, by index, instead of reading every item's JSON.
 */
export const threatInputItemEntities = sqliteTable(
  "threat_input_item_entities",
  {
    itemId: integer("item_id")
      .notNull()
      .references(() => threatInputItems.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ITEM_ENTITY_KINDS }).notNull(),
    key: text("key").notNull(),
  },
  (t) => [primaryKey({ columns: [t.itemId, t.kind, t.key] }), index("threat_input_item_entities_key_idx").on(t.kind, t.key)],
);

/** The analysts a TLP:RED item is for: nobody else at the taskforce sees it. */
export const threatInputItemRecipients = sqliteTable(
  "threat_input_item_recipients",
  {
    itemId: integer("item_id")
      .notNull()
      .references(() => threatInputItems.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
  },
  (t) => [
    primaryKey({ columns: [t.itemId, t.userId] }),
    // An analyst's TLP:RED items, read from the analyst (correlation counts them by the viewer).
    index("threat_input_item_recipients_user_idx").on(t.userId, t.itemId),
  ],
);

/**
 * How many items of each organisation name each indicator or entity, counting only items of
 * inputs as they stand (current version, submitted) that are not TLP:RED: what corroboration
 * reads, one row per organisation instead of one per report. Kept by triggers (migration 0012,
 * docs/decisions/026) on every write that changes what counts, never by the services; `kind` is
 * "indicator" (with its type) or an entity kind (type ""). A row may fall to 0 and stay.
 */
export const reportedSubjects = sqliteTable(
  "reported_subjects",
  {
    kind: text("kind").notNull(),
    type: text("type").notNull(),
    value: text("value").notNull(),
    organisationId: integer("organisation_id")
      .notNull()
      .references(() => organisations.id, { onDelete: "cascade" }),
    items: integer("items").notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.type, t.value, t.organisationId] })],
);

/** Questions from the analysts and the organisation's answers, on the input's page. */
export const threatInputMessages = sqliteTable(
  "threat_input_messages",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    inputId: integer("input_id")
      .notNull()
      .references(() => threatInputs.id, { onDelete: "cascade" }),
    authorUserId: integer("author_user_id").references(() => users.id, { onDelete: "set null" }),
    // Whether the author wrote for the taskforce (a question) or for the organisation (an answer).
    fromTaskforce: integer("from_taskforce", { mode: "boolean" }).notNull(),
    body: text("body").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("threat_input_messages_input_idx").on(t.inputId)],
);

// ---------------------------------------------------------------------------------------------
// Threat assessment

/**
 * An edition of the threat assessment. While a draft its figures follow the accepted input;
 * publishing freezes the items it drew on (assessment_edition_items, with the grades then) and
 * the name merges in force (`snapshot`), so that later input, re-grades or merges change nothing.
 */
export const assessmentEditions = sqliteTable("assessment_editions", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  title: text("title").notNull(),
  // Calendar dates (YYYY-MM-DD): the period the edition assesses.
  periodFrom: text("period_from").notNull(),
  periodTo: text("period_to").notNull(),
  status: text("status", { enum: EDITION_STATUSES }).notNull().default("draft"),
  createdByUserId: integer("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
  createdAt: createdAt(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }),
  publishedAt: integer("published_at", { mode: "timestamp_ms" }),
  publishedByUserId: integer("published_by_user_id").references(() => users.id, { onDelete: "set null" }),
  // { merges: [...] } as they stood at publishing.
  snapshot: text("snapshot", { mode: "json" }).$type<unknown>(),
});

/**
 * The items a published edition drew on, as read when it was published: the grade in force then
 * (an analyst may re-grade later). Everything else about an item is frozen with its version.
 */
export const assessmentEditionItems = sqliteTable(
  "assessment_edition_items",
  {
    editionId: integer("edition_id")
      .notNull()
      .references(() => assessmentEditions.id, { onDelete: "cascade" }),
    itemId: integer("item_id")
      .notNull()
      .references(() => threatInputItems.id, { onDelete: "restrict" }),
    sourceReliability: text("source_reliability", { enum: SOURCE_RELIABILITY }).notNull(),
    informationCredibility: text("information_credibility", { enum: INFORMATION_CREDIBILITY }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.editionId, t.itemId] }), index("assessment_edition_items_item_idx").on(t.itemId)],
);

/**
 * Who a published edition's frozen figures are for (docs/decisions/021): "staff", every taskforce
 * reader who reads none of its TLP:RED items (they all read the same items); "export", the
 * default export and the printable report (cleared for onward sharing, no TLP:RED), the same for
 * every reader. An analyst named on a RED item has figures of their own
 * (assessment_edition_reader_figures).
 */
export const FIGURE_AUDIENCES = ["staff", "export"] as const;
export type FigureAudience = (typeof FIGURE_AUDIENCES)[number];

/**
 * A published edition's figures as publishing computed them, per audience: its pages, timeline
 * and trend lines read them instead of recomputing. The shapes are the assessment module's
 * (AreaResult[], RankedEntity[]); free text in them is redacted when read, as names may gain
 * aliases later.
 */
export const assessmentEditionFigures = sqliteTable(
  "assessment_edition_figures",
  {
    editionId: integer("edition_id")
      .notNull()
      .references(() => assessmentEditions.id, { onDelete: "cascade" }),
    audience: text("audience", { enum: FIGURE_AUDIENCES }).notNull(),
    items: integer("items").notNull(),
    handlingMark: text("handling_mark", { enum: TLP_MARKS }).notNull(),
    areas: text("areas", { mode: "json" }).$type<unknown[]>().notNull(),
    entities: text("entities", { mode: "json" }).$type<unknown[]>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.editionId, t.audience] })],
);

/**
 * A published edition's figures for one reader who reads some of the TLP:RED items behind the
 * published editions (an analyst they name), frozen at their first view of it: what is theirs
 * alone to see, computed once instead of at every view of theirs.
 */
export const assessmentEditionReaderFigures = sqliteTable(
  "assessment_edition_reader_figures",
  {
    editionId: integer("edition_id")
      .notNull()
      .references(() => assessmentEditions.id, { onDelete: "cascade" }),
    readerUserId: integer("reader_user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    items: integer("items").notNull(),
    handlingMark: text("handling_mark", { enum: TLP_MARKS }).notNull(),
    areas: text("areas", { mode: "json" }).$type<unknown[]>().notNull(),
    entities: text("entities", { mode: "json" }).$type<unknown[]>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.editionId, t.readerUserId] })],
);

/**
 * One row, one number: moved by triggers on every write to a table an edition's page is computed
 * from (docs/decisions/030), so that a page computed at a version is the page until it moves.
 */
export const editionPageVersion = sqliteTable("edition_page_version", {
  id: integer("id").primaryKey(),
  version: integer("version").notNull(),
});

export const assessmentEditionConsultations = sqliteTable(
  "assessment_edition_consultations",
  {
    editionId: integer("edition_id")
      .notNull()
      .references(() => assessmentEditions.id, { onDelete: "cascade" }),
    consultationId: integer("consultation_id")
      .notNull()
      .references(() => consultations.id, { onDelete: "restrict" }),
  },
  (t) => [primaryKey({ columns: [t.editionId, t.consultationId] })],
);

/** An analyst's own score or trend for a crime area in an edition, always with the reason. */
export const assessmentOverrides = sqliteTable(
  "assessment_overrides",
  {
    editionId: integer("edition_id")
      .notNull()
      .references(() => assessmentEditions.id, { onDelete: "cascade" }),
    crimeArea: text("crime_area", { enum: CRIME_AREAS }).notNull(),
    score: real("score"),
    trend: text("trend", { enum: TRENDS }),
    reason: text("reason").notNull(),
    byUserId: integer("by_user_id").references(() => users.id, { onDelete: "set null" }),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.editionId, t.crimeArea] })],
);

/** Two names an analyst found to be one actor or malware family: `fromName` is read as `intoName`. */
export const entityMerges = sqliteTable(
  "entity_merges",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    kind: text("kind", { enum: ENTITY_KINDS }).notNull(),
    fromName: text("from_name").notNull(),
    intoName: text("into_name").notNull(),
    byUserId: integer("by_user_id").references(() => users.id, { onDelete: "set null" }),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [uniqueIndex("entity_merges_from_unique").on(t.kind, sql`lower(${t.fromName})`)],
);

/** An actor or network proposed for investigation, with the items that support it. */
export const targetProposals = sqliteTable(
  "target_proposals",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    editionId: integer("edition_id")
      .notNull()
      .references(() => assessmentEditions.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: TARGET_KINDS }).notNull(),
    name: text("name").notNull(),
    rationale: text("rationale").notNull(),
    state: text("state", { enum: TARGET_STATES }).notNull().default("proposed"),
    proposedByUserId: integer("proposed_by_user_id").references(() => users.id, { onDelete: "set null" }),
    proposedAt: integer("proposed_at", { mode: "timestamp_ms" }).notNull(),
    decidedByUserId: integer("decided_by_user_id").references(() => users.id, { onDelete: "set null" }),
    decidedAt: integer("decided_at", { mode: "timestamp_ms" }),
    decisionNote: text("decision_note"),
  },
  (t) => [index("target_proposals_edition_idx").on(t.editionId)],
);

export const targetEvidence = sqliteTable(
  "target_evidence",
  {
    proposalId: integer("proposal_id")
      .notNull()
      .references(() => targetProposals.id, { onDelete: "cascade" }),
    itemId: integer("item_id")
      .notNull()
      .references(() => threatInputItems.id, { onDelete: "restrict" }),
  },
  (t) => [primaryKey({ columns: [t.proposalId, t.itemId] })],
);

// ---------------------------------------------------------------------------------------------
// Member agencies and TAXII

/** A police unit of the taskforce that pulls published editions over TAXII 2.1. */
export const memberAgencies = sqliteTable(
  "member_agencies",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    country: text("country").notNull(),
    createdAt: createdAt(),
    createdByUserId: integer("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [uniqueIndex("member_agencies_name_unique").on(sql`lower(${t.name})`)],
);

/** An agency's TAXII key: shown once when issued, kept only as its SHA-256, revocable. */
export const taxiiApiKeys = sqliteTable(
  "taxii_api_keys",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    agencyId: integer("agency_id")
      .notNull()
      .references(() => memberAgencies.id, { onDelete: "cascade" }),
    label: text("label").notNull(),
    // The key's first characters, so that an admin can tell keys apart without the key.
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull().unique(),
    createdAt: createdAt(),
    createdByUserId: integer("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
    revokedByUserId: integer("revoked_by_user_id").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [index("taxii_api_keys_agency_idx").on(t.agencyId)],
);

/**
 * A published edition shared over TAXII with an audience: every member agency (agency null) or
 * one. What it carries is what the export rules let out for member agencies (edition_stix_objects).
 */
export const editionReleases = sqliteTable(
  "edition_releases",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    editionId: integer("edition_id")
      .notNull()
      .references(() => assessmentEditions.id, { onDelete: "cascade" }),
    // "member-agencies", or "agency:<id>".
    audience: text("audience").notNull(),
    agencyId: integer("agency_id").references(() => memberAgencies.id, { onDelete: "cascade" }),
    releasedAt: integer("released_at", { mode: "timestamp_ms" }).notNull(),
    releasedByUserId: integer("released_by_user_id").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [uniqueIndex("edition_releases_unique").on(t.editionId, t.audience), index("edition_releases_audience_idx").on(t.audience, t.releasedAt)],
);

/**
 * The STIX objects a published edition lets out to member agencies, frozen when it is published:
 * ids derived from what each object stands for, `created` from the first edition that carried
 * it, `modified` from the last that changed it. TAXII serves these; file exports take their
 * dates from them.
 */
export const editionStixObjects = sqliteTable(
  "edition_stix_objects",
  {
    editionId: integer("edition_id")
      .notNull()
      .references(() => assessmentEditions.id, { onDelete: "cascade" }),
    stixId: text("stix_id").notNull(),
    type: text("type").notNull(),
    created: integer("created", { mode: "timestamp_ms" }).notNull(),
    modified: integer("modified", { mode: "timestamp_ms" }).notNull(),
    // SHA-256 of the object without its dates: equal hashes, same content.
    contentHash: text("content_hash").notNull(),
    object: text("object", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.editionId, t.stixId] }), index("edition_stix_objects_id_idx").on(t.stixId, t.modified)],
);
