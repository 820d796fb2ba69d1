// Exponential back-off with the semantics of client-go's flowcontrol.Backoff, which the
// kubelet uses for container restarts (CrashLoopBackOff) and image pulls
// (ImagePullBackOff): 10 s doubling to 300 s, forgotten once the thing it guards has
// been fine for twice the maximum (a container that ran 10 minutes starts over at 10 s).
// Entries are plain data so they persist with the pod's record.

export interface BackoffEntry {
  /** The current delay, ms. */
  delay: number;
  /** When the delay was last raised (the last restart or pull attempt), ms. */
  lastUpdate: number;
}

const BACKOFF_INITIAL_MS = 10_000;
const BACKOFF_MAX_MS = 300_000;

function hasExpired(eventTime: number, lastUpdate: number): boolean {
  return eventTime - lastUpdate > 2 * BACKOFF_MAX_MS;
}

/** Restart back-off: is a container that finished at `eventTime` still waiting at `now`? */
export function inBackOffSince(entry: BackoffEntry | undefined, eventTime: number, now: number): boolean {
  if (!entry || hasExpired(eventTime, entry.lastUpdate)) return false;
  return now - eventTime < entry.delay;
}

/** Pull back-off: is the last attempt (at lastUpdate) still too recent at `now`? */
export function inBackOffSinceUpdate(entry: BackoffEntry | undefined, now: number): boolean {
  if (!entry || hasExpired(now, entry.lastUpdate)) return false;
  return now - entry.lastUpdate < entry.delay;
}

/** Record an attempt at `now`; `eventTime` decides whether the old entry is stale. */
export function nextBackoff(entry: BackoffEntry | undefined, eventTime: number, now: number): BackoffEntry {
  if (!entry || hasExpired(eventTime, entry.lastUpdate)) return { delay: BACKOFF_INITIAL_MS, lastUpdate: now };
  return { delay: Math.min(entry.delay * 2, BACKOFF_MAX_MS), lastUpdate: now };
}

/** Go's time.Duration.String() for whole seconds and minutes: "10s", "1m20s", "5m0s". */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const totalSeconds = ms / 1000;
  if (totalSeconds < 60) return `${Number(totalSeconds.toFixed(3))}s`;
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = Number((totalSeconds - minutes * 60).toFixed(3));
  return `${minutes}m${seconds}s`;
}
