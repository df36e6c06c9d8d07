import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config";

export default mergeConfig(
  base,
  defineConfig({
    test: {
      include: ["tests/browser/**/*.test.ts"],
      // One Chromium at a time on a two-core machine.
      fileParallelism: false,
      testTimeout: 60_000,
    },
  }),
);
