import pino from "pino";
import { getEnv } from "./env.server";
import { singleton } from "./singleton.server";

export const logger = () =>
  singleton("logger", () =>
    pino({
      level: getEnv().LOG_LEVEL,
      base: undefined,
      redact: ["token", "*.token", "req.headers.cookie"],
    }),
  );
