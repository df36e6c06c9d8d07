import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { MailTrouble } from "~/components/mail-trouble";
import { getDb } from "~/lib/db.server";
import { requireRole } from "~/modules/auth/guard.server";
import { adminOverview } from "~/modules/home/service.server";

export const meta: MetaFunction = () => [{ title: "Administration · Taskforce Consult" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "admin");
  return adminOverview(getDb());
}

export default function AdminOverview() {
  const admin = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Administration</h1>
      <dl className="figures">
        <div>
          <dt>Active accounts</dt>
          <dd>{admin.activeAccounts}</dd>
        </div>
        <div>
          <dt>Active organisations</dt>
          <dd>{admin.activeOrganisations}</dd>
        </div>
        <div>
          <dt>Mail waiting</dt>
          <dd>{admin.mail.pending}</dd>
        </div>
        <div className={admin.mail.dead > 0 ? "figure--alert" : undefined}>
          <dt>Mail given up</dt>
          <dd>{admin.mail.dead}</dd>
        </div>
      </dl>
      <MailTrouble mail={admin.mail} />
      <ul className="plain-list">
        <li>
          <Link to="/admin/users/new">Add a person</Link>
        </li>
        <li>
          <Link to="/admin/organisations/new">Add an organisation</Link>
        </li>
      </ul>
    </>
  );
}
