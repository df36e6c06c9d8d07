import fs from "node:fs";
import { matchPath, matchRoutes } from "@remix-run/router";
import { describe, expect, it } from "vitest";

// patches/@remix-run+router+1.23.3.patch (docs/decisions/028) keeps the router's flattened,
// ranked branches per route table and its compiled path patterns: what is kept must never answer
// for another table or another pattern.

describe("the patched route matcher", () => {
  it("is the patched one", () => {
    expect(fs.readFileSync("node_modules/@remix-run/router/dist/router.cjs.js", "utf8")).toContain("function rankedBranchesOf(routes)");
  });

  it("matches each route table by its own routes, however often it is asked", () => {
    const first = [{ id: "root", path: "/", children: [{ id: "input", path: "inputs/:inputId" }, { id: "home", index: true }] }];
    const second = [{ id: "root", path: "/", children: [{ id: "edition", path: "inputs/:editionId" }] }];
    for (let round = 0; round < 3; round++) {
      expect(matchRoutes(first, "/inputs/7")?.map((match) => [match.route.id, match.params])).toEqual([
        ["root", { inputId: "7" }],
        ["input", { inputId: "7" }],
      ]);
      expect(matchRoutes(second, "/inputs/7")?.at(-1)?.params).toEqual({ editionId: "7" });
      expect(matchRoutes(first, "/")?.at(-1)?.route.id).toBe("home");
      expect(matchRoutes(second, "/elsewhere")).toBeNull();
    }
  });

  it("keeps a pattern's case and end rules apart", () => {
    expect(matchPath({ path: "/Feeds", caseSensitive: true, end: true }, "/feeds")).toBeNull();
    expect(matchPath({ path: "/Feeds", caseSensitive: false, end: true }, "/feeds")?.pathname).toBe("/feeds");
    expect(matchPath({ path: "/Feeds", caseSensitive: false, end: false }, "/feeds/x")?.pathnameBase).toBe("/feeds");
    expect(matchPath({ path: "/Feeds", caseSensitive: false, end: true }, "/feeds/x")).toBeNull();
    expect(matchPath({ path: "/Feeds", caseSensitive: true, end: true }, "/Feeds")?.pathname).toBe("/Feeds");
  });
});
