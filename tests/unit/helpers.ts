import { expect } from "vitest";
import { AppError, type AppErrorCode } from "~/lib/errors";

/** Runs `run`, which must throw; returns what it threw so that a test can look at it. */
export function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw, and it returned normally");
}

/** Runs `run`, which must throw an AppError with this code; returns the error. */
export function appErrorFrom(run: () => unknown, code: AppErrorCode): AppError {
  const error = thrownBy(run);
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  return error as AppError;
}

export const minutes = (n: number) => n * 60_000;
export const later = (at: Date, ms: number) => new Date(at.getTime() + ms);
