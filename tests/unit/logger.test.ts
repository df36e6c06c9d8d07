import { describe, expect, it } from "vitest";
import { currentRequestId, logger, newRequestId, noteRefusal, withRequestScope } from "~/lib/logger.server";

/** What a module deep in a request's work would do: log after a few hops of asynchrony. */
async function deepInAModule() {
  await Promise.resolve();
  await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setImmediate(resolve));
  return { bindings: logger().bindings(), requestId: currentRequestId() };
}

describe("the request scope", () => {
  it("stamps the lines a request causes, however deep, with its id, and only its own", async () => {
    const [one, two] = await Promise.all([
      withRequestScope("aaaaaaaaaaaa", () => deepInAModule()),
      withRequestScope("bbbbbbbbbbbb", () => deepInAModule()),
    ]);
    expect(one).toEqual({ bindings: { requestId: "aaaaaaaaaaaa" }, requestId: "aaaaaaaaaaaa" });
    expect(two).toEqual({ bindings: { requestId: "bbbbbbbbbbbb" }, requestId: "bbbbbbbbbbbb" });
  });

  it("leaves lines outside a request (start-up, the outbox worker) without an id", async () => {
    expect(await deepInAModule()).toEqual({ bindings: {}, requestId: undefined });
  });

  it("keeps the reason a request is refused for its own line", () => {
    const scope = withRequestScope(newRequestId(), (scope) => {
      noteRefusal("Your account does not have access to this page.");
      return scope;
    });
    expect(scope.refusal).toBe("Your account does not have access to this page.");
    expect(scope.requestId).toMatch(/^[0-9a-f]{12}$/);
    noteRefusal("outside any request: nowhere to keep it");
  });
});
