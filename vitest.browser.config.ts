import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config";

const config = mergeConfig(
  base,
  defineConfig({
    test: {
      // One Chromium at a time on a two-core machine.
      fileParallelism: false,
      testTimeout: 60_000,
    },
  }),
);
// mergeConfig appends arrays: the browser run must replace the unit and integration files.
config.test!.include = ["tests/browser/**/*.test.ts"];
export default config;
