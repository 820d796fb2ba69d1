// HTTP/1.1 as bytes on a forwarded connection: requests read from whatever chunks the
// client's bytes arrive in (request line, headers, a Content-Length or chunked body),
// responses written back as a server writes them. The image programs answer requests,
// not bytes; this is the part of their server that reads and writes the wire.
import { decodeBytes, encodeBytes } from "../../../util/byte-text";
import type { HttpResponse } from "../../runtime/cri";

export interface WireRequest {
  method: string;
  /** Path and query as sent. */
  target: string;
  version: string;
  /** Header names as the client wrote them; a repeated header keeps its last value. */
  headers: Record<string, string>;
  /** The body as a byte string (util/byte-text). */
  body: string;
  /** Whether the connection stays open after the answer (HTTP/1.1 unless `close`; 1.0 only with keep-alive). */
  keepAlive: boolean;
}

/** What nginx allows a request's header section (large_client_header_buffers 4 8k, near enough). */
const MAX_HEAD_BYTES = 32 * 1024;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The request cannot be read: the server answers 400 and closes. */
export class BadRequest extends Error {}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === want) return v;
  return undefined;
}

function indexOfHeadEnd(buf: Uint8Array, from: number): { at: number; len: number } | undefined {
  for (let i = from; i < buf.length; i++) {
    if (buf[i] !== 0x0a) continue;
    if (i >= 1 && buf[i - 1] === 0x0a) return { at: i - 1, len: 2 };
    if (i >= 3 && buf[i - 1] === 0x0d && buf[i - 2] === 0x0a && buf[i - 3] === 0x0d) return { at: i - 3, len: 4 };
    if (i >= 2 && buf[i - 1] === 0x0d && buf[i - 2] === 0x0a) return { at: i - 2, len: 3 };
  }
  return undefined;
}

function parseHead(text: string): Omit<WireRequest, "body" | "keepAlive"> {
  const lines = text.split(/\r?\n/);
  const m = /^([^ ]+) ([^ ]+) (HTTP\/\d\.\d)$/.exec(lines[0] ?? "");
  if (!m || !TOKEN.test(m[1])) throw new BadRequest("malformed request line");
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0 || !TOKEN.test(line.slice(0, colon))) throw new BadRequest("malformed header line");
    headers[line.slice(0, colon)] = line.slice(colon + 1).trim();
  }
  return { method: m[1], target: m[2], version: m[3], headers };
}

function keepAliveOf(version: string, headers: Record<string, string>): boolean {
  const conn = (headerValue(headers, "connection") ?? "").toLowerCase();
  if (conn.split(",").some((t) => t.trim() === "close")) return false;
  if (version === "HTTP/1.0") return conn.split(",").some((t) => t.trim() === "keep-alive");
  return true;
}

/** Reads requests out of a connection's bytes, however they are cut. */
export class RequestReader {
  private buf = new Uint8Array(0);

  /** The requests these bytes complete; throws BadRequest for bytes that are no HTTP request. */
  push(bytes: Uint8Array): WireRequest[] {
    const joined = new Uint8Array(this.buf.length + bytes.length);
    joined.set(this.buf);
    joined.set(bytes, this.buf.length);
    this.buf = joined;
    const out: WireRequest[] = [];
    for (;;) {
      const req = this.next();
      if (!req) break;
      out.push(req);
    }
    return out;
  }

  private next(): WireRequest | undefined {
    // Empty lines before a request line are skipped (RFC 9112, 2.2).
    let start = 0;
    while (start < this.buf.length && (this.buf[start] === 0x0d || this.buf[start] === 0x0a)) start++;
    const end = indexOfHeadEnd(this.buf, start);
    if (!end) {
      if (this.buf.length - start > MAX_HEAD_BYTES) throw new BadRequest("request header too large");
      return undefined;
    }
    const head = parseHead(decodeBytes(this.buf.subarray(start, end.at)));
    const bodyStart = end.at + end.len;
    const te = headerValue(head.headers, "transfer-encoding");
    let body: Uint8Array;
    let consumed: number;
    if (te !== undefined) {
      if (te.toLowerCase() !== "chunked") throw new BadRequest("unsupported transfer encoding");
      const chunked = readChunked(this.buf, bodyStart);
      if (!chunked) return undefined;
      ({ body, consumed } = chunked);
    } else {
      const cl = headerValue(head.headers, "content-length");
      if (cl !== undefined && !/^\d+$/.test(cl)) throw new BadRequest("invalid content length");
      const n = cl === undefined ? 0 : Number(cl);
      if (this.buf.length - bodyStart < n) return undefined;
      body = this.buf.subarray(bodyStart, bodyStart + n);
      consumed = bodyStart + n;
    }
    const req: WireRequest = { ...head, body: decodeBytes(body), keepAlive: keepAliveOf(head.version, head.headers) };
    this.buf = this.buf.slice(consumed);
    return req;
  }
}

/** A chunked body from `at`: its bytes and where the message ends, or undefined while incomplete. */
function readChunked(buf: Uint8Array, at: number): { body: Uint8Array; consumed: number } | undefined {
  const parts: Uint8Array[] = [];
  let i = at;
  for (;;) {
    const lf = buf.indexOf(0x0a, i);
    if (lf < 0) return undefined;
    const sizeText = decodeBytes(buf.subarray(i, lf)).replace(/\r$/, "").split(";")[0].trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new BadRequest("invalid chunk size");
    const size = parseInt(sizeText, 16);
    i = lf + 1;
    if (size === 0) {
      // Trailers up to an empty line.
      for (;;) {
        const next = buf.indexOf(0x0a, i);
        if (next < 0) return undefined;
        const line = buf.subarray(i, next);
        i = next + 1;
        if (line.length === 0 || (line.length === 1 && line[0] === 0x0d)) break;
      }
      const body = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) {
        body.set(p, o);
        o += p.length;
      }
      return { body, consumed: i };
    }
    if (buf.length < i + size + 1) return undefined;
    parts.push(buf.subarray(i, i + size));
    i += size;
    if (buf[i] === 0x0d) i++;
    if (i >= buf.length) return undefined;
    if (buf[i] !== 0x0a) throw new BadRequest("invalid chunk end");
    i++;
  }
}

const NO_BODY_STATUS = new Set([204, 304]);

/**
 * The response's bytes as the program's server writes them: its status line and
 * headers in order, a Content-Length when it gave none, and `Connection: close` on
 * the last answer of a connection the client asked to close.
 */
export function writeResponse(res: HttpResponse, opts: { head: boolean; keepAlive: boolean }): Uint8Array {
  const lines = [`HTTP/1.1 ${res.status} ${res.statusText}`.trimEnd()];
  let hasLength = false;
  let hasConnection = false;
  for (const [k, v] of res.headers) {
    const name = k.toLowerCase();
    if (name === "transfer-encoding") continue;
    if (name === "content-length") hasLength = true;
    if (name === "connection") {
      hasConnection = true;
      lines.push(`${k}: ${opts.keepAlive ? v : "close"}`);
      continue;
    }
    lines.push(`${k}: ${v}`);
  }
  const body = opts.head || NO_BODY_STATUS.has(res.status) ? "" : res.body;
  if (!hasLength && !NO_BODY_STATUS.has(res.status)) lines.push(`Content-Length: ${encodeBytes(res.body).length}`);
  if (!hasConnection && !opts.keepAlive) lines.push("Connection: close");
  return encodeBytes(`${lines.join("\r\n")}\r\n\r\n${body}`);
}

/** What a server answers bytes it cannot read as a request (nginx's 400 page), before it closes. */
export function badRequestResponse(server: string): Uint8Array {
  const body = `<html>\r\n<head><title>400 Bad Request</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<hr><center>${server}</center>\r\n</body>\r\n</html>\r\n`;
  return writeResponse({ status: 400, statusText: "Bad Request", headers: [["Server", server], ["Content-Type", "text/html"]], body }, { head: false, keepAlive: false });
}
