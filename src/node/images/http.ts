// Small helpers the image programs share for HTTP answers and timestamps.
import type { HttpResponse } from "./types";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const p2 = (n: number) => String(n).padStart(2, "0");

/** RFC 7231 date for the Date header: "Tue, 25 Nov 2025 09:19:00 GMT". */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** nginx error-log time: "2025/11/25 09:19:00". */
export function nginxLogTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
}

/** Common log format time: "25/Nov/2025:09:19:00 +0000". */
export function clfTime(ms: number): string {
  const d = new Date(ms);
  return `${p2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
}

/** redis log time: "25 Nov 2025 09:19:00.123". */
export function redisLogTime(ms: number): string {
  const d = new Date(ms);
  return `${p2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, "0")}`;
}

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  301: "Moved Permanently",
  304: "Not Modified",
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Not Allowed",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export function response(status: number, headers: [string, string][], body: string): HttpResponse {
  return { status, statusText: STATUS_TEXT[status] ?? "", headers, body };
}

/** Content-Length counts bytes: a body read from a file may hold any (util/byte-text). */
export { byteLength } from "../../util/byte-text";
