import os from "node:os";
import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "~": path.resolve("app") } },
  test: {
    include: ["tests/unit/**/*.test.{ts,tsx}", "tests/integration/**/*.test.ts"],
    setupFiles: ["tests/support/setup.ts"],
    // A process per test file: each has its own database file and its own singletons.
    pool: "forks",
    // At least two at once, even on two cores (vitest's default there is one): an integration
    // file spends much of its time waiting on the server process it starts. 255 s -> 157 s here.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    benchmark: { include: ["tests/bench/**/*.bench.ts"] },
  },
});
