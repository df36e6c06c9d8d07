import { Link } from "@remix-run/react";
import { counted } from "~/lib/words";

/** The admins' warning that mail did not reach people: given-up messages, broadcasts set aside. */
export function MailTrouble({ mail }: { mail: { dead: number; broadcastsSetAside: number } }) {
  if (mail.dead === 0 && mail.broadcastsSetAside === 0) return null;
  return (
    <p className="notice notice--error">
      {mail.dead > 0 ? "Some messages could not be delivered. " : null}
      {mail.broadcastsSetAside > 0
        ? `${counted(mail.broadcastsSetAside, "broadcast")} of mail to many people failed and ${mail.broadcastsSetAside === 1 ? "is" : "are"} set aside. `
        : null}
      <Link to="/admin/outbox">Review the outbox</Link>.
    </p>
  );
}
