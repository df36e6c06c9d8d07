import { randomUUID } from "node:crypto";
import { migrateDatabase, openDatabase } from "~/lib/db.server";
import { hashToken, newSecretToken } from "~/modules/auth/tokens.server";

// The data set of a taskforce that has run the portal for a few years (issue 13), written with
// plain prepared statements in one transaction so that it takes seconds, not minutes. Its shape
// follows the portal's own rules (one input per organisation and consultation, versions, items,
// indicators shared between organisations so that corroboration has work to do), and it is the
// same on every run: a fixed pseudo-random sequence decides everything.

export type Scale = { organisations: number; consultations: number; organisationsPerConsultation: number };
/** 100 organisations, 1,000 people, 200 consultations, 1,000 meetings, 10,000 inputs, 55,000 items, 220,000 indicators. */
export const LARGE: Scale = { organisations: 100, consultations: 200, organisationsPerConsultation: 50 };
/** The same taskforce ten times younger: 1,000 inputs. */
export const SMALL: Scale = { organisations: 100, consultations: 20, organisationsPerConsultation: 50 };

const PEOPLE_PER_ORGANISATION = 9;
const MEETINGS_PER_CONSULTATION = 5;
const AREAS = ["malware_coding", "malware_testing", "malware_distribution", "botnets", "crime_as_a_service", "online_fraud", "intrusion", "banking_trojans", "underground_forums", "offenders_and_networks"];
const SECTORS = ["bank", "isp", "security_vendor", "cert", "ministry", "payment_provider"];
const COUNTRIES = ["AT", "CA", "CO", "FR", "DE", "IT", "NL", "ES", "GB", "US"];
const ZONES = ["Europe/Vienna", "America/Toronto", "America/Bogota", "Europe/Paris", "Europe/Berlin", "Europe/Rome", "Europe/Amsterdam", "Europe/Madrid", "Europe/London", "America/New_York"];
const TLPS = ["TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER", "TLP:AMBER", "TLP:AMBER", "TLP:AMBER", "TLP:AMBER", "TLP:AMBER", "TLP:AMBER", "TLP:AMBER", "TLP:AMBER", "TLP:AMBER", "TLP:AMBER", "TLP:RED"];
const ATTRIBUTIONS = ["named", "named", "sector_country", "anonymous"];
const TRENDS = ["new", "increasing", "stable", "decreasing"];
const GRADES = ["A", "B", "C", "D", "E", "F"];
const MALWARE = ["Grandoreiro", "Emotet", "QakBot", "IcedID", "Mekotio", "LockBit", "Trickbot", "Ursnif", "Dridex", "Zloader", "Casbaneiro", "Amavaldo"];
const ACTORS = ["Wizard Spider", "Coyote Spider", "Scattered Spider", "TA505", "FIN7", "Mummy Spider", "Evil Corp", "Grandoreiro operators"];

/** mulberry32: small, fast, the same sequence everywhere. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T,>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return { next, pick, int };
}

export type Dataset = {
  file: string;
  counts: Record<string, number>;
  /** People the benchmark signs in as, with a session token each (the cookie carries it). */
  sessions: Record<"coordinator" | "analyst" | "stakeholder" | "busyOrganiser" | "busierOrganiser", { userId: number; token: string }>;
  consultationId: number;
  publishedEditionId: number;
  draftEditionId: number;
  inputId: number;
  /** A meeting in its poll whose consultation reaches many people: for the finalise under load. */
  bigPollMeetingId: number;
  bigPollSlotId: number;
  /** Feeds: the tokens of people with 500 and 2,000 meetings. */
  feeds: { meetings500: string; meetings2000: string };
  /** An open consultation and its organisations' stakeholders, for durable submits. */
  submitters: { consultationId: number; userId: number; token: string }[];
  /** A crime area the submitters' consultation asks about (their form refuses any other). */
  submitCrimeArea: string;
};

const DAY = 86_400_000;

export function buildDataset(file: string, scale: Scale, now = Date.now()): Dataset {
  const { db, sqlite } = openDatabase(file);
  migrateDatabase(db);
  const r = random(20261201);
  const counts: Record<string, number> = {};
  const count = (table: string, n = 1) => (counts[table] = (counts[table] ?? 0) + n);
  const prepare = (sql: string) => sqlite.prepare(sql);

  const insertOrganisation = prepare("insert into organisations (name, sector, country, kind, usual_source_reliability, created_at) values (?, ?, ?, ?, ?, ?)");
  const insertUser = prepare("insert into users (name, email, organisation_id, time_zone, locale, time_zone_source, created_at) values (?, ?, ?, ?, 'en-GB', 'chosen', ?)");
  const insertRole = prepare("insert into role_grants (user_id, role, granted_at) values (?, ?, ?)");
  const insertSession = prepare("insert into sessions (id_hash, user_id, created_at, last_seen_at, expires_at) values (?, ?, ?, ?, ?)");
  const insertConsultation = prepare("insert into consultations (title, description, crime_areas, input_deadline, deadline_time_zone, status, coordinator_user_id, created_at, opened_at) values (?, '', ?, ?, 'Europe/Vienna', ?, ?, ?, ?)");
  const insertChosen = prepare("insert into consultation_organisations (consultation_id, organisation_id) values (?, ?)");
  const insertInvitee = prepare("insert into consultation_invitees (consultation_id, user_id, by_name, invited_at, organisation_id) values (?, ?, 0, ?, ?)");
  const insertMeeting = prepare("insert into meetings (uid, consultation_id, organiser_user_id, title, agenda, duration_minutes, time_zone, status, starts_at, ends_at, tlp, created_at, updated_at, attendee_list_open) values (?, ?, ?, ?, '', 60, ?, ?, ?, ?, 'TLP:AMBER', ?, ?, ?)");
  const insertSlot = prepare("insert into meeting_slots (meeting_id, starts_at, ends_at, time_zone) values (?, ?, ?, ?)");
  const insertRsvp = prepare("insert into meeting_rsvps (meeting_id, user_id, response, updated_at) values (?, ?, ?, ?)");
  const insertInput = prepare("insert into threat_inputs (consultation_id, organisation_id, status, triage_state, current_version, created_at, submitted_at) values (?, ?, 'submitted', ?, 1, ?, ?)");
  const insertVersion = prepare("insert into threat_input_versions (input_id, number, submitted_by_user_id, submitted_at) values (?, 1, ?, ?)");
  const insertItem = prepare(`insert into threat_input_items (version_id, position, crime_area, title, observed_from, observed_to, trend, impact, likelihood, sectors, countries, actors, malware, techniques, source_reliability, information_credibility, tlp, share_onward, attribution, narrative, recommended_actions)
    values (?, ?, ?, ?, ?, null, ?, ?, ?, '["finance"]', ?, ?, ?, '["T1566"]', ?, ?, ?, ?, ?, 'Seen by our fraud desk over the quarter.', 'Share the indicators with the CERTs.')`);
  const insertIndicator = prepare("insert or ignore into threat_input_indicators (item_id, type, value) values (?, ?, ?)");
  const insertRecipient = prepare("insert into threat_input_item_recipients (item_id, user_id) values (?, ?)");
  const insertEdition = prepare("insert into assessment_editions (title, period_from, period_to, status, created_by_user_id, created_at) values (?, '2025-01-01', '2027-12-31', 'draft', ?, ?)");
  const insertEditionConsultation = prepare("insert into assessment_edition_consultations (edition_id, consultation_id) values (?, ?)");
  const insertFeed = prepare("insert into calendar_feeds (user_id, token_hash, created_at) values (?, ?, ?)");

  const session = (userId: number) => {
    const token = randomUUID() + randomUUID();
    insertSession.run(hashToken(token), userId, now, now, now + 11 * 3_600_000);
    return { userId, token };
  };
  const feed = (userId: number) => {
    const { token, hash } = newSecretToken();
    insertFeed.run(userId, hash, now);
    return token;
  };

  const result = sqlite.transaction(() => {
    const organisationIds: number[] = [];
    const members = new Map<number, number[]>();
    for (let o = 0; o < scale.organisations; o++) {
      const id = Number(insertOrganisation.run(`Organisation ${o + 1}`, SECTORS[o % SECTORS.length], COUNTRIES[o % COUNTRIES.length], o % 3 ? "private" : "public", "C", now).lastInsertRowid);
      organisationIds.push(id);
      count("organisations");
      const people: number[] = [];
      for (let p = 0; p < PEOPLE_PER_ORGANISATION; p++) {
        const userId = Number(insertUser.run(`Person ${o + 1}.${p + 1}`, `person${o + 1}.${p + 1}@org${o + 1}.example`, id, ZONES[(o + p) % ZONES.length], now).lastInsertRowid);
        insertRole.run(userId, "stakeholder", now);
        people.push(userId);
        count("users");
      }
      members.set(id, people);
    }
    const staff = (role: "coordinator" | "analyst", n: number) =>
      Array.from({ length: n }, (_, i) => {
        const userId = Number(insertUser.run(`${role} ${i + 1}`, `${role}${i + 1}@taskforce.example`, null, "Europe/Amsterdam", now).lastInsertRowid);
        insertRole.run(userId, role, now);
        count("users");
        return userId;
      });
    const coordinators = staff("coordinator", 40);
    const analysts = staff("analyst", 60);
    const busyOrganiser = coordinators[1]!;
    const busierOrganiser = coordinators[2]!;

    let first = { consultationId: 0, inputId: 0 };
    const consultationIds: number[] = [];
    let bigPoll = { meetingId: 0, slotId: 0 };
    let meetingCount = 0;
    const indicatorPool = Array.from({ length: 60_000 }, (_, i) => i);
    for (let c = 0; c < scale.consultations; c++) {
      const open = c % 4 !== 0;
      const created = now - (scale.consultations - c) * DAY;
      const consultationId = Number(
        insertConsultation.run(`Consultation ${c + 1}`, JSON.stringify([AREAS[c % AREAS.length], AREAS[(c + 3) % AREAS.length]]), open ? now + 60 * DAY : created + 30 * DAY, open ? "open" : "closed", coordinators[c % coordinators.length], created, created).lastInsertRowid,
      );
      consultationIds.push(consultationId);
      count("consultations");
      const chosen = Array.from({ length: scale.organisationsPerConsultation }, (_, i) => organisationIds[(c * 7 + i) % organisationIds.length]!);
      const reached: number[] = [];
      for (const organisationId of chosen) {
        insertChosen.run(consultationId, organisationId);
        for (const userId of members.get(organisationId)!) {
          insertInvitee.run(consultationId, userId, created, organisationId);
          reached.push(userId);
          count("consultation_invitees");
        }
      }
      for (let m = 0; m < MEETINGS_PER_CONSULTATION; m++) {
        const scheduled = m < 3;
        const startsAt = created + (m + 1) * 7 * DAY;
        const meetingId = Number(
          insertMeeting.run(`${randomUUID()}@bench.example`, consultationId, coordinators[c % coordinators.length], `Round table ${c + 1}.${m + 1}`, ZONES[m % ZONES.length], scheduled ? "scheduled" : "polling", scheduled ? startsAt : null, scheduled ? startsAt + 3_600_000 : null, created, created, m === 0 ? 1 : 0).lastInsertRowid,
        );
        meetingCount += 1;
        let slotId = 0;
        for (let s = 0; s < 3; s++) slotId = Number(insertSlot.run(meetingId, now + (10 + s) * DAY, now + (10 + s) * DAY + 3_600_000, ZONES[m % ZONES.length]).lastInsertRowid);
        if (scheduled) {
          for (const userId of reached.slice(0, 40)) insertRsvp.run(meetingId, userId, r.pick(["accepted", "tentative", "declined"]), created);
        } else if (!bigPoll.meetingId && open) {
          bigPoll = { meetingId, slotId };
        }
      }
      // One input per chosen organisation, as a version with 5 or 6 items.
      for (const organisationId of chosen) {
        const submitted = created + r.int(1, 20) * DAY;
        const inputId = Number(insertInput.run(consultationId, organisationId, r.next() < 0.6 ? "accepted" : r.pick(["new", "needs_clarification", "rejected"]), submitted, submitted).lastInsertRowid);
        if (!first.inputId) first = { consultationId, inputId };
        count("threat_inputs");
        const versionId = Number(insertVersion.run(inputId, members.get(organisationId)![0], submitted).lastInsertRowid);
        const items = r.next() < 0.5 ? 5 : 6;
        for (let position = 0; position < items; position++) {
          const tlp = r.pick(TLPS);
          const itemId = Number(
            insertItem.run(
              versionId,
              position,
              AREAS[(c + position) % AREAS.length],
              `Campaign ${c + 1}.${organisationId}.${position + 1}`,
              new Date(submitted - 60 * DAY).toISOString().slice(0, 10),
              r.pick(TRENDS),
              r.int(1, 5),
              r.int(1, 5),
              JSON.stringify([r.pick(COUNTRIES)]),
              JSON.stringify([{ name: r.pick(ACTORS), aliases: [] }]),
              JSON.stringify([r.pick(MALWARE)]),
              r.pick(GRADES),
              String(r.int(1, 6)),
              tlp,
              r.next() < 0.8 ? 1 : 0,
              r.pick(ATTRIBUTIONS),
            ).lastInsertRowid,
          );
          count("threat_input_items");
          if (tlp === "TLP:RED") insertRecipient.run(itemId, analysts[(itemId * 7) % analysts.length]);
          for (let n = 0; n < 4; n++) {
            const value = indicatorPool[r.int(0, indicatorPool.length - 1)]!;
            insertIndicator.run(itemId, "domain", `host${value}.bench-${value % 97}.example`);
            count("threat_input_indicators");
          }
        }
      }
    }
    counts.meetings = meetingCount;

    // The organisers of many meetings, for the feed figures: 500 and 2,000 meetings each.
    const extraMeetings = (organiser: number, n: number) => {
      for (let i = 0; i < n; i++) {
        const startsAt = now + ((i % 400) - 200) * DAY;
        insertMeeting.run(`${randomUUID()}@bench.example`, consultationIds[i % consultationIds.length], organiser, `Working group ${i + 1}`, ZONES[i % ZONES.length], "scheduled", startsAt, startsAt + 3_600_000, now - DAY, now - DAY, 0);
        count("meetings");
      }
    };
    extraMeetings(busyOrganiser, 500);
    extraMeetings(busierOrganiser, 2_000);

    // Two editions over a fifth of the consultations: one to publish, one left a draft.
    const editionConsultations = consultationIds.filter((_, i) => i % 5 === 0);
    const editions = ["Published edition", "Draft edition"].map((title) => {
      const id = Number(insertEdition.run(title, analysts[0], now).lastInsertRowid);
      for (const consultationId of editionConsultations) insertEditionConsultation.run(id, consultationId);
      return id;
    });

    const openConsultation = consultationIds.find((_, i) => i % 4 !== 0)!;
    const submitters = (sqlite
      .prepare("select co.organisation_id as organisationId from consultation_organisations co where co.consultation_id = ?")
      .all(openConsultation) as { organisationId: number }[]).map((row) => ({ consultationId: openConsultation, ...session(members.get(row.organisationId)![1]!) }));

    const submitCrimeArea = AREAS[consultationIds.indexOf(openConsultation) % AREAS.length]!;

    return {
      submitCrimeArea,
      sessions: {
        coordinator: session(coordinators[0]!),
        analyst: session(analysts[0]!),
        stakeholder: session(members.get(organisationIds[0]!)![0]!),
        busyOrganiser: session(busyOrganiser),
        busierOrganiser: session(busierOrganiser),
      },
      consultationId: first.consultationId,
      inputId: first.inputId,
      publishedEditionId: editions[0]!,
      draftEditionId: editions[1]!,
      bigPollMeetingId: bigPoll.meetingId,
      bigPollSlotId: bigPoll.slotId,
      feeds: { meetings500: feed(busyOrganiser), meetings2000: feed(busierOrganiser) },
      submitters,
    };
  })();
  sqlite.pragma("wal_checkpoint(TRUNCATE)");
  sqlite.exec("analyze");
  sqlite.close();
  return { file, counts, ...result };
}

