// The lines a watch cache streams to the API worker that relays a watch: a Kubernetes
// watch event as the client will read it, behind what the relay needs to know of it
// without parsing the object (its revision, for resuming; its key, for the watch's
// initial list):
//
//   <resourceVersion> TAB <namespace>/<name> TAB {"type":"MODIFIED","object":{...}}
//
// The relay hands the event's JSON to a client as it came (unless the client asked for
// a Table or a converted version), so a change is parsed and serialised once, in the
// cache, for every watcher, instead of once more per watch in the API worker. Progress
// lines (BOOKMARK) and the ERROR that ends a stream have an empty key; an ERROR's
// revision is 0. Names and namespaces never hold a tab.
import type { KubeObject, Status } from "../model/types";

export type RelayedType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

export interface RelayLine {
  rv: number;
  /** "namespace/name" of the object ("" for BOOKMARK and ERROR). */
  key: string;
  type: RelayedType;
  /** The watch event as JSON: `{"type":...,"object":...}`. */
  json: string;
}

const TYPE_AT = '{"type":"'.length;

export function objectKeyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;
}

/** A change as a line (the object carries its resourceVersion). */
export function eventLine(type: "ADDED" | "MODIFIED" | "DELETED", object: KubeObject): string {
  return `${object.metadata.resourceVersion ?? 0}\t${objectKeyOf(object)}\t${JSON.stringify({ type, object })}\n`;
}

/** Every change up to `rv` has been considered for this watcher (the relay's resume point; a BOOKMARK when asked for). */
export function progressLine(rv: number): string {
  return `${rv}\t\t${JSON.stringify({ type: "BOOKMARK", object: { metadata: { resourceVersion: String(rv) } } })}\n`;
}

/** The ERROR event that ends a stream (410 Expired). */
export function errorLine(status: Status): string {
  return `0\t\t${JSON.stringify({ type: "ERROR", object: status })}\n`;
}

/** One line (without its newline) as eventLine, progressLine or errorLine wrote it; undefined for anything else. */
export function parseRelayLine(line: string): RelayLine | undefined {
  const a = line.indexOf("\t");
  const b = a < 0 ? -1 : line.indexOf("\t", a + 1);
  if (b < 0) return undefined;
  const rv = Number(line.slice(0, a));
  const json = line.slice(b + 1);
  const end = json.indexOf('"', TYPE_AT);
  if (!Number.isSafeInteger(rv) || !json.startsWith('{"type":"') || end < 0) return undefined;
  return { rv, key: line.slice(a + 1, b), type: json.slice(TYPE_AT, end) as RelayedType, json };
}
