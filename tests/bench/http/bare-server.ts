import http from "node:http";
import { createElement, type ReactNode } from "react";
import { renderToString } from "react-dom/server";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { readSessionToken } from "~/lib/session.server";
import { editionPage } from "~/modules/assessment/page.server";
import { resolveSession } from "~/modules/auth/sessions.server";
import { feedFor } from "~/modules/calendar/feeds.server";
import {
  chosenOrganisationNames,
  consultationInviteeCounts,
  consultationInviteeStates,
  meetingsOf,
  viewConsultation,
} from "~/modules/consultations/service.server";
import { homeFor } from "~/modules/home/service.server";
import { corroborationOfInputs, correlationsForInput } from "~/modules/intel/correlation.server";
import { inputCountsOfConsultation, inputProgressByOrganisation, inputsOfConsultation, triageQueue, viewInput } from "~/modules/threat-input/service.server";

// The ceiling the portal is measured against (npm run bench:http): a bare node:http server that
// answers the same pages with the same module calls, so the same SQL, and renders what they
// return with renderToString, without Express, Remix, the layout or the browser's scripts.

const db = getDb();
const list = (title: string, rows: unknown[]): ReactNode =>
  createElement("section", null, createElement("h2", null, title), createElement("ul", null, rows.map((row, i) => createElement("li", { key: i }, JSON.stringify(row).slice(0, 200)))));
const page = (...children: ReactNode[]) => `<!DOCTYPE html>${renderToString(createElement("html", null, createElement("body", null, ...children)))}`;

async function answer(request: http.IncomingMessage): Promise<{ status: number; type: string; body: string }> {
  const url = new URL(request.url ?? "/", "http://bare");
  if (url.pathname === "/healthz") return { status: 200, type: "application/json", body: '{"status":"ok"}' };
  const feed = /^\/calendar\/([A-Za-z0-9_-]{43})\.ics$/.exec(url.pathname);
  if (feed) {
    const built = feedFor(db, feed[1]!, getEnv().APP_URL);
    return built ? { status: 200, type: "text/calendar", body: built.body } : { status: 404, type: "text/plain", body: "" };
  }
  const token = await readSessionToken(new Request(url, { headers: { Cookie: request.headers.cookie ?? "" } }));
  const viewer = token ? resolveSession(db, token) : null;
  if (!viewer) return { status: 302, type: "text/plain", body: "" };
  const actor = { userId: viewer.id, origin: { ip: "127.0.0.1", userAgent: null } };
  const id = Number(url.pathname.split("/")[2]);
  if (url.pathname === "/") {
    const home = homeFor(db, viewer);
    return { status: 200, type: "text/html", body: page(list("Consultations", home.consultations?.open ?? []), list("Meetings", home.meetings?.scheduled ?? []), list("Polls", home.meetings?.polls ?? [])) };
  }
  if (url.pathname.startsWith("/consultations/")) {
    const consultation = viewConsultation(db, viewer, id);
    const progress = inputProgressByOrganisation(db, viewer, id);
    return {
      status: 200,
      type: "text/html",
      body: page(
        createElement("h1", null, consultation.title),
        list("Organisations", chosenOrganisationNames(db, id).first),
        list("Invitees", consultationInviteeStates(db, id).rows.map((invitee) => ({ ...invitee, input: progress.get(invitee.organisationId ?? 0) }))),
        list("Invitees by state", [consultationInviteeCounts(db, id)]),
        list("Inputs", inputsOfConsultation(db, viewer, id).rows),
        list("Inputs by state", [inputCountsOfConsultation(db, viewer, id)]),
        list("Meetings", meetingsOf(db, id).rows),
      ),
    };
  }
  if (url.pathname === "/triage") {
    const queue = triageQueue(db, viewer, {});
    const corroboration = corroborationOfInputs(db, viewer, queue.rows.map((row) => row.id));
    return { status: 200, type: "text/html", body: page(list("Queue", queue.rows), list("Reported elsewhere", [corroboration])) };
  }
  if (url.pathname.startsWith("/inputs/")) {
    const view = viewInput(db, viewer, id, actor);
    const correlations = viewer.roles.includes("analyst") ? correlationsForInput(db, viewer, view.input.id, view.items) : {};
    return { status: 200, type: "text/html", body: page(createElement("h1", null, view.source.label), list("Items", view.items), list("Also reported", [correlations])) };
  }
  if (url.pathname.startsWith("/assessments/")) {
    // What the route's loader returns, by the same module call (reported beyond and releases too).
    const view = editionPage(db, viewer, id);
    return {
      status: 200,
      type: "text/html",
      body: page(createElement("h1", null, view.edition.title), list("Areas", view.areas), list("Entities", view.entities), list("Reported beyond", [view.beyond]), list("Exports", [view.exports]), list("Releases", [view.releases])),
    };
  }
  return { status: 404, type: "text/plain", body: "" };
}

const server = http.createServer((request, response) => {
  answer(request).then(
    ({ status, type, body }) => {
      response.writeHead(status, { "Content-Type": type });
      response.end(body);
    },
    (error: unknown) => {
      response.writeHead(500, { "Content-Type": "text/plain" });
      response.end(String(error));
    },
  );
});
server.listen(Number(process.env.PORT), () => process.send?.("listening"));
