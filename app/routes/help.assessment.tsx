import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link } from "@remix-run/react";
import { requireUser } from "~/modules/auth/guard.server";
import { SCORING_RULES } from "~/modules/assessment/scoring";
import type { RouteHandle } from "~/root";

export const meta: MetaFunction = () => [{ title: "How the assessment is scored · Taskforce Consult" }];
export const handle: RouteHandle = { tlp: "TLP:CLEAR" };

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  return null;
}

/** The scoring rule in words, written from the same constants the code computes with. */
export default function ScoringHelp() {
  return (
    <article className="narrow-wide prose">
      <p className="eyebrow">
        <Link to="/assessments">Threat assessment</Link> · Help
      </p>
      <h1>How the assessment is scored</h1>
      {SCORING_RULES.map((rule) => (
        <section key={rule.title} className="section">
          <h2>{rule.title}</h2>
          <p className="pre-line">{rule.text}</p>
        </section>
      ))}
    </article>
  );
}
