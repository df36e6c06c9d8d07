import { describe, expect, it } from "vitest";
import { redirectToField, safeRedirectPath } from "~/modules/auth/schema";

const PORTAL = "https://consult.example";

/** Where a browser goes with this Location header, from a page of the portal. */
const destination = (location: string) => new URL(location, `${PORTAL}/login/link?token=x`);

/** A Location the browser reads as a path of the portal, and that reads the same a second time. */
function expectSamePortalPath(path: string) {
  expect(path.startsWith("/"), path).toBe(true);
  expect(path[1] === "/" || path[1] === "\\", path).toBe(false);
  expect(destination(path).origin, path).toBe(PORTAL);
  expect(safeRedirectPath(path), path).toBe(path);
}

// The payloads of the issue and their relatives: dot segments and backslashes that normalise to
// "//", tabs and newlines that browsers drop, encoded slashes, other schemes, look-alike slashes.
const LEADS_OFF_SITE = [
  "/./" + "/evil.example",
  "/login/../\\evil.example",
  "//evil.example",
  "///evil.example",
  "/\\evil.example",
  "\\\\evil.example",
  "\\/evil.example",
  "/\\/evil.example",
  "/.\\.\\/evil.example",
  "/..//evil.example",
  "/a/b/../../..//evil.example",
  "/.%2e//evil.example",
  "/%2e%2e//evil.example",
  "/%2e//evil.example",
  "/\t/evil.example",
  "/\n/evil.example",
  "/\r\n/evil.example",
  "/\\\t\\evil.example",
  "https://evil.example",
  "https:evil.example",
  "https:/evil.example",
  "javascript:alert(1)",
  " /\\evil.example",
  "evil.example",
];

describe("safeRedirectPath", () => {
  it.each(LEADS_OFF_SITE)("sends %j home", (payload) => {
    expect(safeRedirectPath(payload)).toBe("/");
  });

  it.each([
    ["/admin/users?role=admin", "/admin/users?role=admin"],
    ["/consultations/3/input#item-2", "/consultations/3/input#item-2"],
    ["/settings?q=a b", "/settings?q=a%20b"],
    // Encoded slashes stay encoded: a browser does not read them as the start of a host.
    ["/%2F/evil.example", "/%2F/evil.example"],
    ["/%5C/evil.example", "/%5C/evil.example"],
    ["/%252F%252Fevil.example", "/%252F%252Fevil.example"],
    // Look-alike slashes are just characters of a path.
    ["/\u2215evil.example", "/%E2%88%95evil.example"],
    ["/\uFF0Fevil.example", "/%EF%BC%8Fevil.example"],
    ["/https:evil.example", "/https:evil.example"],
    ["/javascript:alert(1)", "/javascript:alert(1)"],
    ["/admin?next=//evil.example", "/admin?next=//evil.example"],
  ])("keeps %j as the portal path %j", (payload, path) => {
    expect(safeRedirectPath(payload)).toBe(path);
    expectSamePortalPath(path);
  });

  it("sends empty and missing values home", () => {
    expect(safeRedirectPath(undefined)).toBe("/");
    expect(safeRedirectPath("")).toBe("/");
    expect(redirectToField.parse(undefined)).toBe("/");
  });

  // Every combination of a way up, a separator and a way to hide it: whatever comes out is a
  // path of the portal, and reads the same when it is checked again (as the link page does).
  const ups = ["/", "/./", "/../", "/a/../", "/.%2e/", "/%2e/", "/login/..", "/x/%2e%2e/"];
  const separators = ["/", "\\", "\t/", "/\t", "\n/", "\r/", "%2F", "%5C", "%252F", "\u2215", "\uFF0F", "%09/", " /"];
  const targets = ["evil.example", "evil.example/path?x=1", "@evil.example", ":443@evil.example"];
  const grid = ups.flatMap((up) => separators.flatMap((separator) => targets.map((target) => `${up}${separator}${target}`)));

  it(`never hands out anything but a portal path (${grid.length} combinations, raw and decoded)`, () => {
    for (const payload of grid) {
      expectSamePortalPath(safeRedirectPath(payload));
      // The same payload once more decoded, as a server that decodes twice would see it.
      let decoded: string;
      try {
        decoded = decodeURIComponent(payload);
      } catch {
        continue;
      }
      expectSamePortalPath(safeRedirectPath(decoded));
    }
  });
});
