import { Link, useLocation } from "@remix-run/react";

/**
 * The links under a keyset-paged list (app/lib/keyset.server.ts): back to its first page and on
 * to the next, keeping every other parameter of the address (the filters, and where the page's
 * other lists stand). Plain links: paging works without JavaScript.
 */
export function Pager({
  next,
  param = "after",
  label,
  nextLabel = "Next page",
  firstLabel = "First page",
}: {
  /** The cursor of the next page, or null on the last one. */
  next: string | null;
  /** The address parameter that carries this list's cursor. */
  param?: string;
  /** What the navigation is called (a page with several lists needs one name each). */
  label: string;
  nextLabel?: string;
  firstLabel?: string;
}) {
  const { pathname, search } = useLocation();
  const params = new URLSearchParams(search);
  const to = (cursor: string | null) => {
    const target = new URLSearchParams(params);
    if (cursor) target.set(param, cursor);
    else target.delete(param);
    const query = target.toString();
    return query ? `${pathname}?${query}` : pathname;
  };
  const later = params.has(param);
  if (!later && !next) return null;
  return (
    <nav aria-label={label} className="pager">
      {later ? <Link to={to(null)}>{firstLabel}</Link> : <span />}
      {next ? (
        <Link to={to(next)} rel="next">
          {nextLabel}
        </Link>
      ) : (
        <span />
      )}
    </nav>
  );
}
