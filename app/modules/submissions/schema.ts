import { z } from "zod";

/** A key as newSubmitKey makes them (and as tests may write them): URL-safe, long enough not to guess. */
export const submitKeySchema = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);
