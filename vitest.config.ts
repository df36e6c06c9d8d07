import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "~": path.resolve("app") } },
  test: {
    include: ["tests/unit/**/*.test.{ts,tsx}", "tests/integration/**/*.test.ts"],
    setupFiles: ["tests/support/setup.ts"],
    // A process per test file: each has its own database file and its own singletons.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    benchmark: { include: ["tests/bench/**/*.bench.ts"] },
  },
});
