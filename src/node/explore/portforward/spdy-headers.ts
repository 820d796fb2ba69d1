// SPDY/3 header blocks (draft 3, section 2.6.10): a count, then length-prefixed names
// and values (several values of one name joined by NUL), compressed with zlib against
// the SPDY dictionary. Each direction of a session keeps ONE compression context for
// all its blocks, sync-flushed after each block so a block ends on a byte boundary and
// the peer can inflate it on its own (Go's spdy framer: zlib.NewWriterLevelDict and
// Flush per frame). Losing a block desynchronises the whole session.
//
// pako (a port of zlib) does the deflate: fflate's sync flush writes an invalid
// stored block for a second small block of a stream (fflate 0.8.3), and SPDY's blocks
// are small and many.
import { Deflate, Inflate, Z_SYNC_FLUSH } from "pako";
import { SPDY_HEADER_DICTIONARY } from "./spdy-dictionary";
import { SpdyError } from "./spdy-error";
import { concatBytes } from "../../../util/bytes";

/** Header names (lowercase, as SPDY requires) and their values. */
export type SpdyHeaders = Record<string, string[]>;

const enc = new TextEncoder();
const dec = new TextDecoder();


/** The uncompressed block. */
export function serializeHeaderBlock(headers: SpdyHeaders): Uint8Array {
  const parts: Uint8Array[] = [];
  const u32 = (n: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n);
    parts.push(b);
  };
  const names = Object.keys(headers);
  u32(names.length);
  for (const name of names) {
    const n = enc.encode(name.toLowerCase());
    const v = enc.encode(headers[name].join("\0"));
    u32(n.length);
    parts.push(n);
    u32(v.length);
    parts.push(v);
  }
  return concatBytes(parts);
}

/** Reads an uncompressed block; a block that lies about its lengths is a protocol error. */
export function parseHeaderBlock(block: Uint8Array, streamId: number): SpdyHeaders {
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  let at = 0;
  const u32 = () => {
    if (at + 4 > block.length) throw new SpdyError("compressed payload size was incorrect", streamId);
    const n = view.getUint32(at);
    at += 4;
    return n;
  };
  const bytes = (len: number) => {
    if (at + len > block.length) throw new SpdyError("compressed payload size was incorrect", streamId);
    const b = block.subarray(at, at + len);
    at += len;
    return dec.decode(b);
  };
  const count = u32();
  const headers: SpdyHeaders = {};
  for (let i = 0; i < count; i++) {
    const name = bytes(u32());
    const value = bytes(u32());
    if (!name) throw new SpdyError("frame contained invalid header", streamId);
    if (name !== name.toLowerCase()) throw new SpdyError("header was not lowercased", streamId);
    if (headers[name]) throw new SpdyError("multiple headers with same name", streamId);
    headers[name] = value.split("\0");
  }
  if (at !== block.length) throw new SpdyError("compressed payload size was incorrect", streamId);
  return headers;
}

/** One direction's compressor: every block it writes depends on the ones before. */
export class HeaderCompressor {
  private readonly z = new Deflate({ level: 9, dictionary: SPDY_HEADER_DICTIONARY });
  private readonly out: Uint8Array[] = [];

  constructor() {
    this.z.onData = (chunk) => this.out.push(chunk);
  }

  compress(headers: SpdyHeaders): Uint8Array {
    if (!this.z.push(serializeHeaderBlock(headers), Z_SYNC_FLUSH)) throw new SpdyError(`header block could not be deflated: ${this.z.msg}`);
    return concatBytes(this.out.splice(0));
  }
}

/** One direction's decompressor, fed every block of the session in order. */
export class HeaderDecompressor {
  private readonly z = new Inflate({ dictionary: SPDY_HEADER_DICTIONARY });
  private readonly out: Uint8Array[] = [];
  private failed = "";

  constructor() {
    this.z.onData = (chunk) => this.out.push(chunk);
  }

  decompress(compressed: Uint8Array, streamId: number): SpdyHeaders {
    if (this.failed || !this.z.push(compressed, Z_SYNC_FLUSH)) {
      this.failed ||= this.z.msg || "invalid data";
      throw new SpdyError(`header block could not be inflated: ${this.failed}`, streamId);
    }
    return parseHeaderBlock(concatBytes(this.out.splice(0)), streamId);
  }
}
