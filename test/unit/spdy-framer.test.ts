// The SPDY/3.1 framer kubectl's port-forward tunnel needs: every frame type round
// trips, frames survive any split of the byte stream, header blocks share one zlib
// context per direction and interoperate with an independent zlib (node's, the same
// deflate Go's framer writes), and broken frames are refused.
import { describe, expect, it } from "vitest";
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from "node:zlib";
import { SPDY_HEADER_DICTIONARY } from "../../src/node/explore/portforward/spdy-dictionary";
import { SpdyFramer, type SpdyFrame } from "../../src/node/explore/portforward/spdy-framer";
import { HeaderCompressor, HeaderDecompressor, serializeHeaderBlock, type SpdyHeaders } from "../../src/node/explore/portforward/spdy-headers";
import { SpdyError } from "../../src/node/explore/portforward/spdy-error";
import { concatBytes } from "../../src/util/bytes";

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const x of bytes) {
    a = (a + x) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const kubectlHeaders = (type: string, id: number) => ({ streamtype: [type], port: ["80"], requestid: [String(id)] });

/** A session's blocks: kubectl's stream headers and the kubelet's empty replies, small blocks one after another. */
const BLOCKS: SpdyHeaders[] = [kubectlHeaders("error", 0), {}, {}, kubectlHeaders("data", 0), {}, { "x-many": ["a", "b"] }, {}];

const FRAMES: SpdyFrame[] = [
  { type: "syn_stream", streamId: 1, associatedTo: 0, priority: 0, fin: false, unidirectional: false, headers: kubectlHeaders("error", 0) },
  { type: "syn_stream", streamId: 3, associatedTo: 0, priority: 5, fin: true, unidirectional: true, headers: kubectlHeaders("data", 0) },
  { type: "syn_reply", streamId: 1, fin: false, headers: {} },
  { type: "syn_reply", streamId: 3, fin: true, headers: { "x-many": ["a", "b", "c"] } },
  { type: "headers", streamId: 3, fin: false, headers: { status: ["200 OK"] } },
  { type: "data", streamId: 3, fin: false, data: new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n") },
  { type: "data", streamId: 3, fin: true, data: new Uint8Array(0) },
  { type: "data", streamId: 0x7fffffff, fin: false, data: new Uint8Array(70_000).map((_, i) => i & 0xff) },
  { type: "rst_stream", streamId: 3, status: 5 },
  { type: "settings", clear: true, entries: [{ flags: 1, id: 4, value: 100 }, { flags: 0, id: 7, value: 65536 }] },
  { type: "settings", clear: false, entries: [] },
  { type: "ping", id: 1 },
  { type: "ping", id: 0xfffffffe },
  { type: "goaway", lastGoodStreamId: 7, status: 2 },
  { type: "window_update", streamId: 5, delta: 0x7fffffff },
];

/** node's zlib, sync-flushed per block as Go's framer does. */
async function nodeStep(z: Deflate | Inflate, input: Uint8Array): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const onData = (c: Uint8Array) => chunks.push(c);
  z.on("data", onData);
  z.write(input);
  await new Promise<void>((r) => z.flush(constants.Z_SYNC_FLUSH, () => r()));
  z.off("data", onData);
  return concatBytes(chunks);
}

describe("SPDY header dictionary", () => {
  it("is the 1,423 bytes of SPDY/3 (Adler-32 0xe3c6a7c2, the id a zlib stream names)", () => {
    expect(SPDY_HEADER_DICTIONARY.length).toBe(1423);
    expect(adler32(SPDY_HEADER_DICTIONARY)).toBe(0xe3c6a7c2);
  });
});

describe("SPDY framer", () => {
  it("round trips every frame type, header blocks in one context per direction", () => {
    const writer = new SpdyFramer();
    const reader = new SpdyFramer();
    for (const f of FRAMES) expect(reader.push(writer.encode(f))).toEqual([f]);
    expect(reader.buffered).toBe(0);
  });

  it("reassembles frames split anywhere and splits frames that arrive together", () => {
    const writer = new SpdyFramer();
    const stream = concatBytes(FRAMES.map((f) => writer.encode(f)));
    const oneByte = new SpdyFramer();
    const got: SpdyFrame[] = [];
    for (let i = 0; i < stream.length; i++) got.push(...oneByte.push(stream.subarray(i, i + 1)));
    expect(got).toEqual(FRAMES);
    expect(new SpdyFramer().push(stream)).toEqual(FRAMES);
  });

  it("writes the wire layout of the draft: control bit, version 3, type, flags, 24-bit length", () => {
    const bytes = new SpdyFramer().encode({ type: "ping", id: 7 });
    expect([...bytes]).toEqual([0x80, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 7]);
    const data = new SpdyFramer().encode({ type: "data", streamId: 3, fin: true, data: new Uint8Array([9]) });
    expect([...data]).toEqual([0, 0, 0, 3, 0x01, 0, 0, 1, 9]);
  });

  it("ignores a control frame of a type it does not know (draft 3, 2.2.1)", () => {
    const unknown = new Uint8Array([0x80, 0x03, 0x00, 0x0a, 0, 0, 0, 2, 1, 2]);
    const ping = new SpdyFramer().encode({ type: "ping", id: 1 });
    expect(new SpdyFramer().push(concatBytes([unknown, ping]))).toEqual([{ type: "ping", id: 1 }]);
  });

  const bad: [string, number[], string | RegExp][] = [
    ["SPDY/2", [0x80, 0x02, 0x00, 0x06, 0, 0, 0, 4, 0, 0, 0, 1], "unsupported SPDY version 2"],
    ["a short RST_STREAM", [0x80, 0x03, 0x00, 0x03, 0, 0, 0, 4, 0, 0, 0, 1], "invalid control frame"],
    ["a long PING", [0x80, 0x03, 0x00, 0x06, 0, 0, 0, 5, 0, 0, 0, 1, 0], "invalid control frame"],
    ["data on stream 0", [0, 0, 0, 0, 0, 0, 0, 1, 0x41], "invalid data frame"],
    ["SETTINGS whose count disagrees with its length", [0x80, 0x03, 0x00, 0x04, 0, 0, 0, 4, 0, 0, 0, 2], "invalid control frame"],
    ["RST_STREAM of stream 0", [0x80, 0x03, 0x00, 0x03, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 5], "stream id zero is disallowed"],
    ["a header block that is no zlib", [0x80, 0x03, 0x00, 0x02, 0, 0, 0, 8, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef], /compressed payload size was incorrect|could not be inflated/],
    ["a header block with a good zlib header and broken deflate data", [0x80, 0x03, 0x00, 0x02, 0, 0, 0, 14, 0, 0, 0, 1, 0x78, 0xf9, 0xe3, 0xc6, 0xa7, 0xc2, 0xff, 0xff, 0xff, 0xff], /compressed payload size was incorrect|could not be inflated/],
  ];
  it.each(bad)("refuses %s", (_name, bytes, message) => {
    expect(() => new SpdyFramer().push(new Uint8Array(bytes))).toThrow(SpdyError);
    expect(() => new SpdyFramer().push(new Uint8Array(bytes))).toThrow(message);
  });
});

describe("SPDY header blocks", () => {
  it("inflate in an independent zlib fed the same dictionary, block after block", async () => {
    const ours = new HeaderCompressor();
    const theirs = createInflate({ dictionary: SPDY_HEADER_DICTIONARY });
    for (const headers of BLOCKS) expect(await nodeStep(theirs, ours.compress(headers))).toEqual(serializeHeaderBlock(headers));
    theirs.close();
  });

  it("write what zlib writes: the first block's bytes are node's zlib's, dictionary id included", async () => {
    const theirs = createDeflate({ dictionary: SPDY_HEADER_DICTIONARY, level: 9 });
    const block = await nodeStep(theirs, serializeHeaderBlock(BLOCKS[0]));
    theirs.close();
    const ours = new HeaderCompressor().compress(BLOCKS[0]);
    expect([...ours]).toEqual([...block]);
    // CMF/FLG with FDICT, then the dictionary's Adler-32.
    expect([...ours.subarray(0, 6)]).toEqual([0x78, 0xf9, 0xe3, 0xc6, 0xa7, 0xc2]);
  });

  it("read blocks an independent zlib compressed, one context across blocks", async () => {
    const theirs = createDeflate({ dictionary: SPDY_HEADER_DICTIONARY, level: 9 });
    const ours = new HeaderDecompressor();
    for (const headers of BLOCKS) expect(ours.decompress(await nodeStep(theirs, serializeHeaderBlock(headers)), 1)).toEqual(headers);
    theirs.close();
  });

  const badBlocks: [string, Uint8Array, string][] = [
    ["an upper-case name", new Uint8Array([0, 0, 0, 1, 0, 0, 0, 4, 0x50, 0x6f, 0x72, 0x74, 0, 0, 0, 2, 0x38, 0x30]), "header was not lowercased"],
    ["a count larger than the block", new Uint8Array([0, 0, 0, 2, 0, 0, 0, 1, 0x61, 0, 0, 0, 0]), "compressed payload size was incorrect"],
    ["bytes after the last header", new Uint8Array([0, 0, 0, 0, 1]), "compressed payload size was incorrect"],
    ["the same name twice", new Uint8Array([0, 0, 0, 2, 0, 0, 0, 1, 0x61, 0, 0, 0, 0, 0, 0, 0, 1, 0x61, 0, 0, 0, 0]), "multiple headers with same name"],
    ["an empty name", new Uint8Array([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]), "frame contained invalid header"],
  ];
  it.each(badBlocks)("refuses %s", async (_name, block, message) => {
    // Built by hand (serializeHeaderBlock lower-cases names), compressed by an independent zlib.
    const z = createDeflate({ dictionary: SPDY_HEADER_DICTIONARY });
    const compressed = await nodeStep(z, block);
    z.close();
    expect(() => new HeaderDecompressor().decompress(compressed, 3)).toThrow(message);
  });
});
