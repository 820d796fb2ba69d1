// core/v1 Event columns as printEvent prints them. The column order is the
// wide order (LAST SEEN, TYPE, REASON, OBJECT, SUBOBJECT, SOURCE, MESSAGE,
// FIRST SEEN, COUNT, NAME); kubectl drops the priority-1 ones without -o wide.
import type { Event, KubeObject } from "../../model/types";
import { NAME_COLUMN, col, formatAge, parseTime } from "./common";
import type { Printer } from "./types";

const COLUMNS = [
  col("Last Seen", "string", "The time at which the most recent occurrence of this event was recorded."),
  col("Type", "string", "Type of this event (Normal, Warning), new types could be added in the future"),
  col("Reason", "string", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
  col("Object", "string", "The object that this event is about."),
  col("Subobject", "string", "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].", { priority: 1 }),
  col("Source", "string", "The component reporting this event. Should be a short machine understandable string.", { priority: 1 }),
  col("Message", "string", "A human-readable description of the status of this operation."),
  col("First Seen", "string", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)", { priority: 1 }),
  col("Count", "string", "The number of times this event has occurred.", { priority: 1 }),
  { ...NAME_COLUMN, priority: 1 },
] as const;

/** events.k8s.io-style series, present when the event was written through that API. */
interface EventSeries { count?: number; lastObservedTime?: string }

/** formatEventSource: "component, host", falling back to the reporting fields. */
function eventSource(ev: Event): string {
  const component = ev.source?.component || ev.reportingComponent || "";
  const instance = ev.source?.host || ev.reportingInstance || "";
  return instance ? `${component}, ${instance}` : component;
}

export const eventPrinter: Printer = {
  columns: COLUMNS,
  cells(obj: KubeObject, now: number): unknown[] {
    const ev = obj as Event;
    // Events written by the new API carry eventTime instead of first/lastTimestamp.
    const first = parseTime(ev.firstTimestamp) !== undefined ? formatAge(ev.firstTimestamp, now) : formatAge(ev.eventTime, now);
    let last = parseTime(ev.lastTimestamp) !== undefined ? formatAge(ev.lastTimestamp, now) : first;
    let count = ev.count ?? 0;
    const series = ev.series as EventSeries | null | undefined;
    if (series) {
      last = formatAge(series.lastObservedTime, now);
      count = series.count ?? 0;
    } else if (count === 0) {
      count = 1; // singleton events have no count in the new API
    }
    const kind = (ev.involvedObject?.kind ?? "").toLowerCase();
    const name = ev.involvedObject?.name;
    return [
      last,
      ev.type ?? "",
      ev.reason ?? "",
      name ? `${kind}/${name}` : kind,
      ev.involvedObject?.fieldPath ?? "",
      eventSource(ev),
      (ev.message ?? "").trim(),
      first,
      count,
      ev.metadata.name ?? "",
    ];
  },
};
