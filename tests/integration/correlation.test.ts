import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { organisations, threatInputItems, threatInputs, threatInputVersions, users } from "../../db/schema";
import type { Visitor } from "../support/http";
import { startPortal, type Portal } from "../support/portal";
import { openConsultationFor } from "../support/scheduling";
import { signIn } from "../support/sign-in";
import { startSmtpServer } from "../support/smtp";
import { inputFields } from "../support/threat-input";
import { decode, textOf } from "./html";

// Correlation where analysts judge many inputs at once (issue 11.3), over the built server: the
// triage queue says of each input how much other organisations report too, with a link to the
// input and a search for its most reported value; the edition says of its actors, malware and
// targets how much input beyond its own names them. Both count only what the analyst may read:
// a TLP:RED item for Thomas counts for Thomas, never for Rafael.

let portal: Portal;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let thomas: Visitor;
let rafael: Visitor;
let consultation: number;
let edition: number;
const inputs: Record<"donau" | "cordillera" | "vigilanza", number> = { donau: 0, cordillera: 0, vigilanza: 0 };

const DONAU = "Donau Privatbank AG";
const CORDILLERA = "Banco Cordillera S.A.";
const VIGILANZA = "Vigilanza Digitale S.p.A.";
const RED = { title: "Correlation RED lead", actor: "Quarry Owl", malware: "QuarryKit", domain: "quarry-owl-drop.example" };

const inputOf = (organisation: string) =>
  portal
    .db()
    .select({ id: threatInputs.id })
    .from(threatInputs)
    .innerJoin(organisations, eq(organisations.id, threatInputs.organisationId))
    .where(and(eq(threatInputs.consultationId, consultation), eq(organisations.name, organisation)))
    .get()!.id;
const userId = (email: string) => portal.db().select({ id: users.id }).from(users).where(eq(users.email, email)).get()!.id;

async function submit(who: Visitor, ...items: Record<string, string | string[]>[]) {
  const response = await who.post(`/consultations/${consultation}/input`, { ...inputFields(...items), intent: "submit" });
  expect(response.status, textOf(await response.text()).slice(0, 400)).toBe(303);
}

/** The text of the triage row that links to the input. */
function triageRow(html: string, inputId: number): string {
  const row = [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].find((match) => match[1]!.includes(`href="/inputs/${inputId}"`));
  if (!row) throw new Error(`no triage row for input ${inputId}`);
  return textOf(row[1]!);
}

/** The rows of the edition's "Reported beyond this edition" table, as text. */
function beyondRows(html: string): string[] {
  const section = /<section[^>]*aria-labelledby="beyond-title"[^>]*>([\s\S]*?)<\/section>/.exec(html);
  if (!section) return [];
  return [...section[1]!.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].slice(1).map((match) => textOf(match[1]!));
}

beforeAll(async () => {
  smtp = await startSmtpServer();
  portal = await startPortal({ SMTP_URL: smtp.url });
  const [katharina, andres, giulia, anna] = [
    await signIn(portal, smtp, "katharina.huber@donau-privatbank.example"),
    await signIn(portal, smtp, "andres.restrepo@bancocordillera.example"),
    await signIn(portal, smtp, "giulia.rossi@vigilanzadigitale.example"),
    await signIn(portal, smtp, "anna.visser@taskforce.example"),
  ];
  thomas = await signIn(portal, smtp, "thomas.keller@taskforce.example");
  rafael = await signIn(portal, smtp, "rafael.ortega@taskforce.example");
  consultation = await openConsultationFor(portal, anna, "Correlation round", [DONAU, CORDILLERA, VIGILANZA]);
  const forThomas = { tlp: "TLP:RED", redRecipients: [String(userId("thomas.keller@taskforce.example"))] };
  await submit(katharina, {
    indicators: "shared-one.example\nshared-two.example\ndonau-only.example",
    actors: "Wizard Spider (UNC1878)",
    malware: "Grandoreiro banking trojan",
    techniques: "T1566.001",
  });
  await submit(
    andres,
    { indicators: "shared-one.example", actors: "UNC1878", malware: "grandoreiro", techniques: "T1566.001" },
    // Thomas's only: the second shared value, and names nobody else gives.
    { ...forThomas, title: RED.title, indicators: `shared-two.example\n${RED.domain}`, actors: RED.actor, malware: RED.malware, techniques: "T1566.001" },
  );
  // Observed before the edition's period: accepted, but beyond the edition.
  await submit(
    giulia,
    { observedFrom: "2025-03-01", observedTo: "2025-04-30", indicators: "shared-one.example", actors: "Wizard Spider", malware: "Mekotio", techniques: "T1566.001" },
    { ...forThomas, observedFrom: "2025-03-01", observedTo: "2025-04-30", title: "Older RED lead", indicators: "vigilanza-red.example", actors: "Coyote Spider", malware: "Grandoreiro", techniques: "T1566.001" },
  );
  for (const [key, organisation] of [["donau", DONAU], ["cordillera", CORDILLERA], ["vigilanza", VIGILANZA]] as const) {
    inputs[key] = inputOf(organisation);
    expect((await thomas.post(`/inputs/${inputs[key]}`, { intent: "accept" })).status).toBe(302);
  }
  const created = await thomas.post("/assessments/new", { title: "Correlation edition", periodFrom: "2026-01-01", periodTo: "2026-12-31", consultationIds: String(consultation) });
  expect(created.status).toBe(302);
  edition = Number(/\/assessments\/(\d+)$/.exec(created.headers.get("Location")!)![1]);
}, 180_000);

afterAll(async () => {
  await portal?.stop();
  await smtp?.close();
});

describe("triage", () => {
  it("says of each input how much of it other organisations report, with the input and a search for its most reported value", async () => {
    const html = decode(await (await thomas.get("/triage")).text());
    const donau = triageRow(html, inputs.donau);
    // shared-one (Cordillera, Vigilanza), shared-two (Cordillera's RED item, Thomas's to read);
    // Wizard Spider (Vigilanza) and its alias UNC1878 (Cordillera) are two names; Grandoreiro is both banks'.
    expect(donau).toContain("2 of its 3 indicators, 2 of 2 actor names, 1 of 1 malware family also reported by 2 other organisations.");
    expect(donau).toContain("Most reported (2 other organisations): shared-one.example");
    expect(html).toContain(`href="/search?q=shared-one.example"`);
    expect(html).toContain(`href="/inputs/${inputs.donau}"`);
    const cordillera = triageRow(html, inputs.cordillera);
    expect(cordillera).toContain("2 of its 3 indicators");
  });

  it("counts a RED item only for the analysts it names: for Rafael it neither corroborates nor is corroborated", async () => {
    const html = decode(await (await rafael.get("/triage")).text());
    expect(triageRow(html, inputs.donau)).toContain("1 of its 3 indicators, 2 of 2 actor names, 1 of 1 malware family also reported by 2 other organisations.");
    // Cordillera's RED item is not among what Rafael reads of it.
    expect(triageRow(html, inputs.cordillera)).toContain("1 of its 1 indicator, 1 of 1 actor name, 1 of 1 malware family also reported by 2 other organisations.");
    for (const secret of Object.values(RED)) expect(html).not.toContain(secret);
  });
});

describe("the edition", () => {
  it("says of its actors, malware and targets how much input beyond its own names them, with a search for each", async () => {
    const proposed = await thomas.post(`/assessments/${edition}/items`, {
      intent: "propose",
      kind: "network",
      name: "UNC1878",
      rationale: "The same crew runs the overlay kits that both banks saw.",
      itemIds: String(itemIdOf("Grandoreiro campaign against retail banking customers", inputs.cordillera)),
    });
    expect(proposed.status).toBe(302);
    const html = decode(await (await thomas.get(`/assessments/${edition}`)).text());
    const rows = beyondRows(html);
    // Donau's Wizard Spider and Cordillera's UNC1878 are one entity (Donau gives the alias), shown as
    // UNC1878. Vigilanza's input lies outside the period: beyond the edition; it names Wizard Spider,
    // and Grandoreiro on its RED item, Thomas's to read.
    expect(rows).toContain("UNC1878 Actor or network also reported by 1 organisation beyond this edition");
    expect(rows).toContain("Grandoreiro Malware also reported by 1 organisation beyond this edition");
    expect(rows).toContain("UNC1878 Proposed target (network) also reported by 1 organisation beyond this edition");
    expect(html).toContain(`href="/search?q=UNC1878"`);
    // Its own input (Cordillera's RED item is in the edition) is no one's "beyond".
    expect(rows.join("\n")).not.toContain(RED.actor);
  });

  it("leaves a RED item beyond the edition out for an analyst it does not name", async () => {
    const html = decode(await (await rafael.get(`/assessments/${edition}`)).text());
    const rows = beyondRows(html);
    expect(rows).toContain("UNC1878 Actor or network also reported by 1 organisation beyond this edition");
    expect(rows.some((row) => row.startsWith("Grandoreiro"))).toBe(false);
    for (const secret of Object.values(RED)) expect(html).not.toContain(secret);
  });

  it("is not shown to a coordinator, who judges no input", async () => {
    const anna = await signIn(portal, smtp, "anna.visser@taskforce.example");
    const html = decode(await (await anna.get(`/assessments/${edition}`)).text());
    expect(html).not.toContain("Reported beyond this edition");
  });
});

/** A plain read by the test: the id of an input's item by its title. */
function itemIdOf(title: string, inputId: number): number {
  return portal
    .db()
    .select({ id: threatInputItems.id })
    .from(threatInputItems)
    .innerJoin(threatInputVersions, eq(threatInputVersions.id, threatInputItems.versionId))
    .where(and(eq(threatInputVersions.inputId, inputId), eq(threatInputItems.title, title)))
    .get()!.id;
}
