// Optimistic concurrency's other half: a write computed from a read that went stale
// (409 Conflict) is computed again from a fresh read, a few times, as client-go's
// RetryOnConflict and the API server's GuaranteedUpdate do.
import { ApiError } from "../model/errors";

export const isConflict = (e: unknown): boolean => e instanceof ApiError && e.reason === "Conflict";

/** The write was computed from an object that changed or went away since it was read. */
export const isStaleOrGone = (e: unknown): boolean => e instanceof ApiError && (e.reason === "Conflict" || e.reason === "NotFound");

/**
 * Run `fn` (which reads, then writes) until it succeeds, `retriable` says no, or
 * `attempts` runs have failed; the last error is thrown.
 */
export async function retryOnConflict<T>(fn: (attempt: number) => Promise<T>, attempts = 8, retriable: (e: unknown) => boolean = isConflict): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (attempt < attempts - 1 && retriable(e)) continue;
      throw e;
    }
  }
}
