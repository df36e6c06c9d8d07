import { singleton } from "./singleton.server";

/**
 * A fixed-window counter kept in memory: enough for one server process, which is what the
 * portal runs as. A second process would need this moved into the database.
 */
export class RateLimiter {
  private windows = new Map<string, { startedAt: number; count: number }>();
  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Counts one attempt; false when the key has used up its window. */
  take(key: string, now = Date.now()): boolean {
    const current = this.windows.get(key);
    if (!current || now - current.startedAt >= this.windowMs) {
      this.windows.set(key, { startedAt: now, count: 1 });
      this.sweep(now);
      return true;
    }
    current.count += 1;
    return current.count <= this.limit;
  }

  private sweep(now: number) {
    if (this.windows.size < 10_000) return;
    for (const [key, window] of this.windows) {
      if (now - window.startedAt >= this.windowMs) this.windows.delete(key);
    }
  }
}

export const signInLimits = () =>
  singleton("sign-in-limits", () => ({
    perAddress: new RateLimiter(10, 60_000),
    perClient: new RateLimiter(30, 60_000),
  }));
