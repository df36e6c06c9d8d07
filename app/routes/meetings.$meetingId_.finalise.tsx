import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ActionForm } from "~/components/action-form";
import { MeetingTime } from "~/components/meeting-time";
import { getDb } from "~/lib/db.server";
import { orStatusPage, parseId, statusPage } from "~/lib/http.server";
import { counted, namesAndOthers } from "~/lib/words";
import { requireRole } from "~/modules/auth/guard.server";
import { finaliseConsequences } from "~/modules/scheduling/service.server";
import type { RouteHandle } from "~/root";

export const meta: MetaFunction = () => [{ title: "Choose the meeting's time · Taskforce Consult" }];
export const handle: RouteHandle = { tlp: "TLP:AMBER" };

/**
 * The page that finalising goes through while some invitees have not answered: it says what
 * will happen (the time is settled, who is sent the invitation, who loses their say) and holds
 * the real button. Without JavaScript too: the meeting's page reaches it with a plain GET.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, "coordinator");
  const id = parseId(params.meetingId);
  const slotId = Number(new URL(request.url).searchParams.get("slotId"));
  if (!Number.isSafeInteger(slotId) || slotId <= 0) statusPage(400, "Choose one of this poll's slots on the meeting's page first.");
  const { meeting, slot, tally, invited, silent } = orStatusPage(() => finaliseConsequences(getDb(), id, slotId));
  return {
    viewer,
    meeting: { id: meeting.id, title: meeting.title },
    handlingMark: meeting.tlp,
    slot: { id: slot.id, startsAt: slot.startsAt, endsAt: slot.endsAt },
    tally,
    invited,
    silent,
  };
}

export default function ConfirmFinalise() {
  const { viewer, meeting, slot, tally, invited, silent } = useLoaderData<typeof loader>();
  return (
    <section className="narrow-wide" aria-labelledby="confirm-title">
      <p className="eyebrow">
        <Link to={`/meetings/${meeting.id}`}>{meeting.title}</Link>
      </p>
      <h1 id="confirm-title">Settle the time before everyone has answered?</h1>
      <p className="lead">
        <MeetingTime start={slot.startsAt} end={slot.endsAt} viewer={viewer} />: {tally.yes} yes, {tally.ifNeedBe} if need be, {tally.no} no.
      </p>
      {silent.count ? (
        <div className="notice notice--warning">
          <p>
            <strong>
              {silent.count} of {counted(invited, "invitee")} {silent.count === 1 ? "has" : "have"} not answered yet:
            </strong>{" "}
            {namesAndOthers(
              silent.first.map((person) => `${person.name} (${person.organisationName ?? "Taskforce"})`),
              silent.count,
            )}
            .
          </p>
          <p>Once the time is set the poll closes, and they can no longer say whether it suits them.</p>
        </div>
      ) : (
        <p className="notice">Everyone has answered meanwhile.</p>
      )}
      <h2>What happens</h2>
      <ul>
        <li>
          {invited === 1 ? "The one invitee is" : `All ${counted(invited, "invitee")} are`} sent the invitation by email,
          with the calendar file, and can accept or decline it in the portal.
        </li>
        <li>Their calendar feeds show the meeting at this time.</li>
        <li>You can still move or cancel the meeting later; everyone is told each time.</li>
      </ul>
      <ActionForm action={`/meetings/${meeting.id}`} className="actions">
        <input type="hidden" name="intent" value="finalise" />
        <input type="hidden" name="slotId" value={slot.id} />
        <input type="hidden" name="confirmed" value="yes" />
        <button type="submit" className="button">
          Set this time and tell everyone
        </button>
        <Link className="button button--secondary" to={`/meetings/${meeting.id}`}>
          Back to the poll
        </Link>
      </ActionForm>
    </section>
  );
}
