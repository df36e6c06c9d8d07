import type { LoaderFunctionArgs } from "@remix-run/node";
import { NavLink, Outlet } from "@remix-run/react";
import { requireRole } from "~/modules/auth/guard.server";
import type { RouteHandle } from "~/root";

export const handle: RouteHandle = { tlp: "TLP:AMBER" };

// Each child route checks the role again: Remix runs child loaders beside this one, not after.
export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "admin");
  return null;
}

export default function AdminLayout() {
  return (
    <div className="with-sidebar">
      <nav aria-label="Administration" className="sub-nav">
        <ul>
          <li>
            <NavLink to="/admin" end>
              Overview
            </NavLink>
          </li>
          <li>
            <NavLink to="/admin/users">People</NavLink>
          </li>
          <li>
            <NavLink to="/admin/organisations">Organisations</NavLink>
          </li>
          <li>
            <NavLink to="/admin/agencies">Member agencies</NavLink>
          </li>
          <li>
            <NavLink to="/admin/audit">Audit log</NavLink>
          </li>
          <li>
            <NavLink to="/admin/outbox">Outbox</NavLink>
          </li>
        </ul>
      </nav>
      <div className="with-sidebar__main">
        <Outlet />
      </div>
    </div>
  );
}
