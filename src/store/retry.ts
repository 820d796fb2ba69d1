// Optimistic concurrency's other half: a write computed from a read that went stale
// (409 Conflict) is computed again from a fresh read, a few times, as client-go's
// RetryOnConflict and the API server's GuaranteedUpdate do.
import { ApiError } from "../model/errors";

/**
 * How often a server-side read-modify-write runs before its conflict reaches the
 * caller. Each conflict means another writer got through, so contention always makes
 * progress, and upstream's GuaranteedUpdate retries until the request's deadline: the
 * bound only keeps a write that can never succeed from spinning. It is well above the
 * number of writers that contend for one object at once (16 in the concurrency tests:
 * the unluckiest of them needs 16 attempts).
 */
export const GUARANTEED_UPDATE_ATTEMPTS = 64;

export const isConflict = (e: unknown): boolean => e instanceof ApiError && e.reason === "Conflict";

/** The write was computed from an object that changed or went away since it was read. */
export const isStaleOrGone = (e: unknown): boolean => e instanceof ApiError && (e.reason === "Conflict" || e.reason === "NotFound");

/**
 * Run `fn` (which reads, then writes) until it succeeds, `retriable` says no, or
 * `attempts` runs have failed; the last error is thrown.
 */
export async function retryOnConflict<T>(fn: (attempt: number) => Promise<T>, attempts = GUARANTEED_UPDATE_ATTEMPTS, retriable: (e: unknown) => boolean = isConflict): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (attempt < attempts - 1 && retriable(e)) continue;
      throw e;
    }
  }
}
