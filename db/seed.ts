import { count, eq, sql } from "drizzle-orm";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import * as schema from "./schema";
import {
  organisations,
  roleGrants,
  users,
  type OrganisationKind,
  type Role,
  type Sector,
  type SourceReliability,
} from "./schema";

type DemoOrganisation = { name: string; sector: Sector; country: string; kind: OrganisationKind };

// How reliable each kind of source has usually proved: CERTs, vendors and ministries report what
// they have analysed, banks, ISPs and payment providers what their customers reported.
const USUAL_RELIABILITY: Record<Sector, SourceReliability> = {
  cert: "B",
  security_vendor: "B",
  ministry: "B",
  bank: "C",
  isp: "C",
  payment_provider: "C",
};
type DemoPerson = {
  name: string;
  email: string;
  organisation?: string;
  timeZone: string;
  locale: string;
  roles: Role[];
};

// Fictional organisations and people, shaped like the taskforce's real stakeholders.
const ORGANISATIONS: DemoOrganisation[] = [
  { name: "Donau Privatbank AG", sector: "bank", country: "AT", kind: "private" },
  { name: "Austrian Cyber Coordination Centre", sector: "cert", country: "AT", kind: "public" },
  { name: "Northern Maple Bank", sector: "bank", country: "CA", kind: "private" },
  { name: "Banco Cordillera S.A.", sector: "bank", country: "CO", kind: "private" },
  { name: "Colombian Cyber Emergency Response Team", sector: "cert", country: "CO", kind: "public" },
  { name: "Rheinwelle Telekom GmbH", sector: "isp", country: "DE", kind: "private" },
  { name: "Agence de Réponse Cyber", sector: "cert", country: "FR", kind: "public" },
  { name: "Tricolore Paiements SAS", sector: "payment_provider", country: "FR", kind: "private" },
  { name: "Vigilanza Digitale S.p.A.", sector: "security_vendor", country: "IT", kind: "private" },
  { name: "Ministero per la Sicurezza Digitale", sector: "ministry", country: "IT", kind: "public" },
  { name: "Polder Netwerken B.V.", sector: "isp", country: "NL", kind: "private" },
  { name: "Meseta Seguridad S.L.", sector: "security_vendor", country: "ES", kind: "private" },
  { name: "Thameside Payments Ltd", sector: "payment_provider", country: "GB", kind: "private" },
  { name: "Department for Online Safety", sector: "ministry", country: "GB", kind: "public" },
  { name: "Liberty Harbor Bank", sector: "bank", country: "US", kind: "private" },
  { name: "Prairie Broadband Inc.", sector: "isp", country: "US", kind: "private" },
];

const PEOPLE: DemoPerson[] = [
  // The taskforce's own staff, at the European centre.
  { name: "Anna Visser", email: "anna.visser@taskforce.example", timeZone: "Europe/Amsterdam", locale: "en-GB", roles: ["coordinator"] },
  { name: "Thomas Keller", email: "thomas.keller@taskforce.example", timeZone: "Europe/Berlin", locale: "en-GB", roles: ["analyst"] },
  { name: "Rafael Ortega", email: "rafael.ortega@taskforce.example", timeZone: "Europe/Madrid", locale: "en-GB", roles: ["coordinator", "analyst"] },
  { name: "Elena Conti", email: "elena.conti@taskforce.example", timeZone: "Europe/Rome", locale: "en-GB", roles: ["admin"] },
  // Stakeholders, from Bogota (UTC-5) to Vienna and Rome (UTC+1).
  { name: "Katharina Huber", email: "katharina.huber@donau-privatbank.example", organisation: "Donau Privatbank AG", timeZone: "Europe/Vienna", locale: "de-AT", roles: ["stakeholder"] },
  { name: "Lukas Gruber", email: "lukas.gruber@cyber-coordination.example", organisation: "Austrian Cyber Coordination Centre", timeZone: "Europe/Vienna", locale: "de-AT", roles: ["stakeholder"] },
  { name: "Olivia Tremblay", email: "olivia.tremblay@northernmaple.example", organisation: "Northern Maple Bank", timeZone: "America/Toronto", locale: "en-CA", roles: ["stakeholder"] },
  { name: "Étienne Gagnon", email: "etienne.gagnon@northernmaple.example", organisation: "Northern Maple Bank", timeZone: "America/Toronto", locale: "fr-CA", roles: ["stakeholder"] },
  { name: "Andrés Restrepo", email: "andres.restrepo@bancocordillera.example", organisation: "Banco Cordillera S.A.", timeZone: "America/Bogota", locale: "es-CO", roles: ["stakeholder"] },
  { name: "Laura Gómez", email: "laura.gomez@colcert.example", organisation: "Colombian Cyber Emergency Response Team", timeZone: "America/Bogota", locale: "es-CO", roles: ["stakeholder"] },
  { name: "Jonas Becker", email: "jonas.becker@rheinwelle.example", organisation: "Rheinwelle Telekom GmbH", timeZone: "Europe/Berlin", locale: "de-DE", roles: ["stakeholder"] },
  { name: "Camille Laurent", email: "camille.laurent@reponse-cyber.example", organisation: "Agence de Réponse Cyber", timeZone: "Europe/Paris", locale: "fr-FR", roles: ["stakeholder"] },
  { name: "Julien Moreau", email: "julien.moreau@tricolore-paiements.example", organisation: "Tricolore Paiements SAS", timeZone: "Europe/Paris", locale: "fr-FR", roles: ["stakeholder"] },
  { name: "Giulia Rossi", email: "giulia.rossi@vigilanzadigitale.example", organisation: "Vigilanza Digitale S.p.A.", timeZone: "Europe/Rome", locale: "it-IT", roles: ["stakeholder"] },
  { name: "Marco Bianchi", email: "marco.bianchi@sicurezzadigitale.example", organisation: "Ministero per la Sicurezza Digitale", timeZone: "Europe/Rome", locale: "it-IT", roles: ["stakeholder"] },
  { name: "Sanne de Vries", email: "sanne.devries@polder-netwerken.example", organisation: "Polder Netwerken B.V.", timeZone: "Europe/Amsterdam", locale: "nl-NL", roles: ["stakeholder"] },
  { name: "Lucía Fernández", email: "lucia.fernandez@meseta-seguridad.example", organisation: "Meseta Seguridad S.L.", timeZone: "Europe/Madrid", locale: "es-ES", roles: ["stakeholder"] },
  { name: "Oliver Bennett", email: "oliver.bennett@thameside-payments.example", organisation: "Thameside Payments Ltd", timeZone: "Europe/London", locale: "en-GB", roles: ["stakeholder"] },
  { name: "Priya Shah", email: "priya.shah@onlinesafety.example", organisation: "Department for Online Safety", timeZone: "Europe/London", locale: "en-GB", roles: ["stakeholder"] },
  { name: "Emily Carter", email: "emily.carter@libertyharbor.example", organisation: "Liberty Harbor Bank", timeZone: "America/New_York", locale: "en-US", roles: ["stakeholder"] },
  { name: "Michael Chen", email: "michael.chen@libertyharbor.example", organisation: "Liberty Harbor Bank", timeZone: "America/Chicago", locale: "en-US", roles: ["stakeholder"] },
  { name: "Daniel Brooks", email: "daniel.brooks@prairiebroadband.example", organisation: "Prairie Broadband Inc.", timeZone: "America/Chicago", locale: "en-US", roles: ["stakeholder"] },
];

/** One address per role, printed at start-up so that anyone can try the portal at once. */
export const DEMO_SIGN_INS: Record<Role, string> = {
  coordinator: "anna.visser@taskforce.example",
  analyst: "thomas.keller@taskforce.example",
  admin: "elena.conti@taskforce.example",
  stakeholder: "katharina.huber@donau-privatbank.example",
};

type SeedDb = BetterSQLite3Database<typeof schema>;

export function hasAnyUser(db: SeedDb): boolean {
  return (db.select({ n: count() }).from(users).get()?.n ?? 0) > 0;
}

/** Adds whatever of the demo data is missing; running it again changes nothing. */
export function seedDemoData(db: SeedDb) {
  db.transaction((tx) => {
    for (const organisation of ORGANISATIONS) {
      tx.insert(organisations)
        .values({ ...organisation, usualSourceReliability: USUAL_RELIABILITY[organisation.sector] })
        .onConflictDoNothing()
        .run();
    }
    const organisationIds = new Map(
      tx.select({ id: organisations.id, name: organisations.name }).from(organisations).all()
        .map((row) => [row.name, row.id]),
    );
    for (const person of PEOPLE) {
      tx.insert(users)
        .values({
          name: person.name,
          email: person.email,
          organisationId: person.organisation ? organisationIds.get(person.organisation) : null,
          timeZone: person.timeZone,
          timeZoneSource: "chosen",
          locale: person.locale,
        })
        .onConflictDoNothing()
        .run();
      const user = tx
        .select({ id: users.id })
        .from(users)
        .where(eq(sql`lower(${users.email})`, person.email.toLowerCase()))
        .get();
      if (!user) throw new Error(`demo user ${person.email} was not stored`);
      for (const role of person.roles) {
        tx.insert(roleGrants).values({ userId: user.id, role }).onConflictDoNothing().run();
      }
    }
  });
}
