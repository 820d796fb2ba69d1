// SPDY/3.1 frames (draft 3 and 3.1, section 2.2): what kubectl's port-forward speaks
// inside its WebSocket. A control frame is 1 bit set, 15 bits version (3), 16 bits
// type, 8 bits flags, 24 bits length, then its fields; a data frame is 1 bit clear,
// 31 bits stream id, 8 bits flags, 24 bits length, then its bytes.
//
// The reader takes bytes as they come (a peer's one frame may arrive in several
// WebSocket messages: client-go writes each field on its own) and yields whole
// frames. The writer gives each frame as one byte array. Header blocks go through
// one compression context per direction (spdy-headers.ts), so a framer belongs to
// one session and both of its ends are used in order.
import { HeaderCompressor, HeaderDecompressor, type SpdyHeaders } from "./spdy-headers";
import { SpdyError } from "./spdy-error";

export const SPDY_VERSION = 3;

export const enum FrameType {
  SynStream = 1,
  SynReply = 2,
  RstStream = 3,
  Settings = 4,
  Ping = 6,
  GoAway = 7,
  Headers = 8,
  WindowUpdate = 9,
}

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;
export const FLAG_SETTINGS_CLEAR = 0x01;

/** RST_STREAM status codes. */
export const RstStatus = {
  ProtocolError: 1,
  InvalidStream: 2,
  RefusedStream: 3,
  UnsupportedVersion: 4,
  Cancel: 5,
  InternalError: 6,
  FlowControlError: 7,
  StreamInUse: 8,
  StreamAlreadyClosed: 9,
} as const;

/** GOAWAY status codes. */
export const GoAwayStatus = { Ok: 0, ProtocolError: 1, InternalError: 2 } as const;

export type SpdyFrame =
  | { type: "data"; streamId: number; fin: boolean; data: Uint8Array }
  | { type: "syn_stream"; streamId: number; associatedTo: number; priority: number; fin: boolean; unidirectional: boolean; headers: SpdyHeaders }
  | { type: "syn_reply"; streamId: number; fin: boolean; headers: SpdyHeaders }
  | { type: "rst_stream"; streamId: number; status: number }
  | { type: "settings"; clear: boolean; entries: { flags: number; id: number; value: number }[] }
  | { type: "ping"; id: number }
  | { type: "goaway"; lastGoodStreamId: number; status: number }
  | { type: "headers"; streamId: number; fin: boolean; headers: SpdyHeaders }
  | { type: "window_update"; streamId: number; delta: number };

const HEADER_BYTES = 8;
const MAX_LENGTH = 0xffffff;
const STREAM_ID_MASK = 0x7fffffff;

/** The fixed part of each control frame: shorter is invalid, longer only where a header block or entries follow. */
const MIN_LENGTH: Partial<Record<number, number>> = {
  [FrameType.SynStream]: 10,
  [FrameType.SynReply]: 4,
  [FrameType.RstStream]: 8,
  [FrameType.Settings]: 4,
  [FrameType.Ping]: 4,
  [FrameType.GoAway]: 8,
  [FrameType.Headers]: 4,
  [FrameType.WindowUpdate]: 8,
};
const EXACT_LENGTH = new Set<number>([FrameType.RstStream, FrameType.Ping, FrameType.GoAway, FrameType.WindowUpdate]);

/** Builds one frame's bytes. */
function frameBytes(first: number, flags: number, body: Uint8Array): Uint8Array {
  if (body.length > MAX_LENGTH) throw new SpdyError("frame too large");
  const out = new Uint8Array(HEADER_BYTES + body.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, first >>> 0);
  v.setUint32(4, ((flags & 0xff) << 24) | body.length);
  out.set(body, HEADER_BYTES);
  return out;
}

function words(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const v = new DataView(out.buffer);
  values.forEach((n, i) => v.setUint32(i * 4, n >>> 0));
  return out;
}

function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

const control = (type: FrameType) => (0x8000 | SPDY_VERSION) * 0x10000 + type;

export class SpdyFramer {
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private buf = new Uint8Array(0);
  private start = 0;
  private end = 0;

  /** The bytes of one frame (header blocks compressed in this framer's context). */
  encode(frame: SpdyFrame): Uint8Array {
    switch (frame.type) {
      case "data":
        if (!frame.streamId) throw new SpdyError("stream id zero is disallowed");
        return frameBytes(frame.streamId & STREAM_ID_MASK, frame.fin ? FLAG_FIN : 0, frame.data);
      case "syn_stream": {
        if (!frame.streamId) throw new SpdyError("stream id zero is disallowed");
        const fixed = new Uint8Array(10);
        const v = new DataView(fixed.buffer);
        v.setUint32(0, frame.streamId & STREAM_ID_MASK);
        v.setUint32(4, frame.associatedTo & STREAM_ID_MASK);
        fixed[8] = (frame.priority & 0x7) << 5;
        const flags = (frame.fin ? FLAG_FIN : 0) | (frame.unidirectional ? FLAG_UNIDIRECTIONAL : 0);
        return frameBytes(control(FrameType.SynStream), flags, join(fixed, this.compressor.compress(frame.headers)));
      }
      case "syn_reply":
        return frameBytes(control(FrameType.SynReply), frame.fin ? FLAG_FIN : 0, join(words(frame.streamId & STREAM_ID_MASK), this.compressor.compress(frame.headers)));
      case "headers":
        return frameBytes(control(FrameType.Headers), frame.fin ? FLAG_FIN : 0, join(words(frame.streamId & STREAM_ID_MASK), this.compressor.compress(frame.headers)));
      case "rst_stream":
        if (!frame.streamId) throw new SpdyError("stream id zero is disallowed");
        return frameBytes(control(FrameType.RstStream), 0, words(frame.streamId & STREAM_ID_MASK, frame.status));
      case "settings":
        return frameBytes(
          control(FrameType.Settings),
          frame.clear ? FLAG_SETTINGS_CLEAR : 0,
          words(frame.entries.length, ...frame.entries.flatMap((e) => [((e.flags & 0xff) << 24) | (e.id & 0xffffff), e.value])),
        );
      case "ping":
        return frameBytes(control(FrameType.Ping), 0, words(frame.id));
      case "goaway":
        return frameBytes(control(FrameType.GoAway), 0, words(frame.lastGoodStreamId & STREAM_ID_MASK, frame.status));
      case "window_update":
        return frameBytes(control(FrameType.WindowUpdate), 0, words(frame.streamId & STREAM_ID_MASK, frame.delta & STREAM_ID_MASK));
    }
  }

  /**
   * Takes the next bytes from the peer and returns the frames they complete. A frame
   * that breaks the protocol throws SpdyError: the session cannot go on after it,
   * since the header contexts may have lost step.
   */
  push(bytes: Uint8Array): SpdyFrame[] {
    this.append(bytes);
    const frames: SpdyFrame[] = [];
    while (this.end - this.start >= HEADER_BYTES) {
      const v = new DataView(this.buf.buffer, this.start);
      const length = v.getUint32(4) & MAX_LENGTH;
      if (this.end - this.start < HEADER_BYTES + length) break;
      const first = v.getUint32(0);
      const flags = this.buf[this.start + 4];
      const body = this.buf.subarray(this.start + HEADER_BYTES, this.start + HEADER_BYTES + length);
      this.start += HEADER_BYTES + length;
      const frame = first & 0x80000000 ? this.control(first, flags, body) : this.data(first, flags, body);
      if (frame) frames.push(frame);
    }
    return frames;
  }

  /** Bytes received that do not yet make a whole frame. */
  get buffered(): number {
    return this.end - this.start;
  }

  /** Keeps unread bytes in one growing buffer, so a frame arriving a byte at a time costs no more than one arriving whole. */
  private append(bytes: Uint8Array): void {
    if (this.start === this.end) this.start = this.end = 0;
    if (this.end + bytes.length > this.buf.length) {
      const live = this.end - this.start;
      const size = Math.max(1024, 2 * (live + bytes.length));
      const next = size > this.buf.length ? new Uint8Array(size) : this.buf;
      next.set(this.buf.subarray(this.start, this.end), 0);
      this.buf = next;
      this.start = 0;
      this.end = live;
    }
    this.buf.set(bytes, this.end);
    this.end += bytes.length;
  }

  private data(first: number, flags: number, body: Uint8Array): SpdyFrame {
    const streamId = first & STREAM_ID_MASK;
    if (!streamId) throw new SpdyError("invalid data frame");
    return { type: "data", streamId, fin: (flags & FLAG_FIN) !== 0, data: body.slice() };
  }

  private control(first: number, flags: number, body: Uint8Array): SpdyFrame | undefined {
    const version = (first >>> 16) & 0x7fff;
    const type = first & 0xffff;
    if (version !== SPDY_VERSION) throw new SpdyError(`unsupported SPDY version ${version}`);
    const min = MIN_LENGTH[type];
    // Draft 3, 2.2.1: a control frame of a type we do not know is ignored.
    if (min === undefined) return undefined;
    if (body.length < min || (EXACT_LENGTH.has(type) && body.length !== min)) throw new SpdyError("invalid control frame");
    const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const id = () => v.getUint32(0) & STREAM_ID_MASK;
    const fin = (flags & FLAG_FIN) !== 0;
    switch (type as FrameType) {
      case FrameType.SynStream: {
        const streamId = id();
        if (!streamId) throw new SpdyError("stream id zero is disallowed");
        return {
          type: "syn_stream",
          streamId,
          associatedTo: v.getUint32(4) & STREAM_ID_MASK,
          priority: body[8] >> 5,
          fin,
          unidirectional: (flags & FLAG_UNIDIRECTIONAL) !== 0,
          headers: this.decompressor.decompress(body.slice(10), streamId),
        };
      }
      case FrameType.SynReply:
        return { type: "syn_reply", streamId: id(), fin, headers: this.decompressor.decompress(body.slice(4), id()) };
      case FrameType.Headers:
        return { type: "headers", streamId: id(), fin, headers: this.decompressor.decompress(body.slice(4), id()) };
      case FrameType.RstStream:
        if (!id()) throw new SpdyError("stream id zero is disallowed");
        return { type: "rst_stream", streamId: id(), status: v.getUint32(4) };
      case FrameType.Settings: {
        const count = v.getUint32(0);
        if (body.length !== 4 + count * 8) throw new SpdyError("invalid control frame");
        const entries = [];
        for (let i = 0; i < count; i++) {
          const word = v.getUint32(4 + i * 8);
          entries.push({ flags: word >>> 24, id: word & 0xffffff, value: v.getUint32(8 + i * 8) });
        }
        return { type: "settings", clear: (flags & FLAG_SETTINGS_CLEAR) !== 0, entries };
      }
      case FrameType.Ping:
        return { type: "ping", id: v.getUint32(0) };
      case FrameType.GoAway:
        return { type: "goaway", lastGoodStreamId: id(), status: v.getUint32(4) };
      case FrameType.WindowUpdate:
        return { type: "window_update", streamId: id(), delta: v.getUint32(4) & STREAM_ID_MASK };
    }
  }
}
