// Bytes through text and back, losslessly: valid UTF-8 is text, every other byte a lone
// surrogate U+DC80+byte that encodes back to itself; chunked decoding matches whole.
import { describe, it, expect } from "vitest";
import { ByteTextDecoder, byteLength, decodeBytes, encodeBytes } from "../../src/util/byte-text";
import { randomBytes } from "./seeded-bytes";

const bytes = (...b: number[]) => new Uint8Array(b);
const esc = (b: number) => String.fromCharCode(0xdc00 + b);

/** A reproducible pseudo-random buffer (xorshift), every byte value likely. */
describe("decodeBytes / encodeBytes", () => {
  it.each<[string, Uint8Array, string]>([
    ["empty", bytes(), ""],
    ["ASCII", bytes(0x68, 0x69, 0x0a), "hi\n"],
    ["NUL and controls", bytes(0x00, 0x1b, 0x7f), "\x00\x1b\x7f"],
    ["two-byte UTF-8", bytes(0xc3, 0xa9), "é"],
    ["three-byte UTF-8", bytes(0xe2, 0x82, 0xac), "€"],
    ["four-byte UTF-8 (surrogate pair)", bytes(0xf0, 0x9f, 0x98, 0x80), "😀"],
    ["a BOM stays", bytes(0xef, 0xbb, 0xbf, 0x41), "\ufeffA"],
    ["gzip magic", bytes(0x1f, 0x8b, 0x08), "\x1f" + esc(0x8b) + "\x08"],
    ["lone continuation byte", bytes(0x41, 0x80, 0x42), "A" + esc(0x80) + "B"],
    ["lead without continuation", bytes(0xc3, 0x41), esc(0xc3) + "A"],
    ["truncated three-byte sequence", bytes(0xe2, 0x82, 0x41), esc(0xe2) + esc(0x82) + "A"],
    ["truncated at the end", bytes(0x41, 0xf0, 0x9f, 0x98), "A" + esc(0xf0) + esc(0x9f) + esc(0x98)],
    ["overlong NUL (C0 80)", bytes(0xc0, 0x80), esc(0xc0) + esc(0x80)],
    ["overlong slash (E0 80 AF)", bytes(0xe0, 0x80, 0xaf), esc(0xe0) + esc(0x80) + esc(0xaf)],
    ["overlong four-byte (F0 80 80 80)", bytes(0xf0, 0x80, 0x80, 0x80), esc(0xf0) + esc(0x80) + esc(0x80) + esc(0x80)],
    ["encoded surrogate U+D800 (ED A0 80)", bytes(0xed, 0xa0, 0x80), esc(0xed) + esc(0xa0) + esc(0x80)],
    ["encoded surrogate U+DCFF (ED B3 BF)", bytes(0xed, 0xb3, 0xbf), esc(0xed) + esc(0xb3) + esc(0xbf)],
    ["above U+10FFFF (F4 90 80 80)", bytes(0xf4, 0x90, 0x80, 0x80), esc(0xf4) + esc(0x90) + esc(0x80) + esc(0x80)],
    ["F5..FF never lead", bytes(0xf5, 0xfe, 0xff), esc(0xf5) + esc(0xfe) + esc(0xff)],
    ["valid after invalid", bytes(0xff, 0xc3, 0xa9), esc(0xff) + "é"],
    ["escape right after a pair", bytes(0xf0, 0x9f, 0x98, 0x80, 0x80), "😀" + esc(0x80)],
  ])("%s", (_name, input, text) => {
    expect(decodeBytes(input)).toBe(text);
    expect(encodeBytes(text)).toEqual(input);
    expect(byteLength(text)).toBe(input.length);
  });

  it("every byte value on its own", () => {
    for (let b = 0; b < 256; b++) {
      const text = decodeBytes(bytes(b));
      expect(text).toBe(b < 0x80 ? String.fromCharCode(b) : esc(b));
      expect(encodeBytes(text)).toEqual(bytes(b));
    }
  });

  it("all 256 byte values in one buffer, and every pair of them", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(encodeBytes(decodeBytes(all))).toEqual(all);
    const pairs = new Uint8Array(256 * 256 * 2);
    for (let i = 0; i < 256 * 256; i++) {
      pairs[2 * i] = i >> 8;
      pairs[2 * i + 1] = i & 0xff;
    }
    expect(encodeBytes(decodeBytes(pairs))).toEqual(pairs);
  });

  it("round-trips 5 MiB of random bytes exactly", () => {
    const data = randomBytes(5 * 1024 * 1024);
    const text = decodeBytes(data);
    expect(byteLength(text)).toBe(data.length);
    const back = encodeBytes(text);
    expect(back.length).toBe(data.length);
    expect(Buffer.compare(Buffer.from(back), Buffer.from(data))).toBe(0);
  });

  it("encodes text as UTF-8 and stray surrogates as U+FFFD", () => {
    expect(encodeBytes("héllo €")).toEqual(new TextEncoder().encode("héllo €"));
    expect(encodeBytes("\ud800")).toEqual(bytes(0xef, 0xbf, 0xbd));
    expect(encodeBytes("\udc00" + esc(0x90))).toEqual(bytes(0xef, 0xbf, 0xbd, 0x90));
    expect(byteLength("\ud800x")).toBe(4);
  });

  it("escapes that happen to spell valid UTF-8 decode as text (as surrogateescape does)", () => {
    expect(decodeBytes(encodeBytes(esc(0xc3) + esc(0xa9)))).toBe("é");
  });
});

describe("ByteTextDecoder (chunks split anywhere)", () => {
  const samples: [string, Uint8Array][] = [
    ["UTF-8 text", new TextEncoder().encode("a€b😀cé\n")],
    ["invalid and truncated sequences", bytes(0xe2, 0x82, 0x41, 0xf0, 0x9f, 0x98, 0xc3, 0xed, 0xa0, 0x80, 0xf4, 0x90, 0xff)],
    ["random", randomBytes(64, 7)],
    ["ends with an incomplete sequence", bytes(0x41, 0xe2, 0x82)],
  ];

  it.each(samples)("%s: every split offset gives the whole-buffer text", (_name, data) => {
    const whole = decodeBytes(data);
    for (let cut = 0; cut <= data.length; cut++) {
      const d = new ByteTextDecoder();
      const text = d.decode(data.subarray(0, cut), { stream: true }) + d.decode(data.subarray(cut));
      expect(text).toBe(whole);
    }
  });

  it.each(samples)("%s: one byte per chunk", (_name, data) => {
    const d = new ByteTextDecoder();
    let text = "";
    for (const b of data) text += d.decode(bytes(b), { stream: true });
    text += d.decode();
    expect(text).toBe(decodeBytes(data));
    expect(encodeBytes(text)).toEqual(data);
  });

  it("holds back an incomplete sequence until the next chunk", () => {
    const d = new ByteTextDecoder();
    expect(d.decode(bytes(0x41, 0xe2, 0x82), { stream: true })).toBe("A");
    expect(d.decode(bytes(0xac, 0x42), { stream: true })).toBe("€B");
    expect(d.decode(bytes(0xf0, 0x9f), { stream: true })).toBe("");
    expect(d.decode()).toBe(esc(0xf0) + esc(0x9f));
  });

  it("does not hold back what can never become valid", () => {
    const d = new ByteTextDecoder();
    expect(d.decode(bytes(0xe0, 0x80), { stream: true })).toBe(esc(0xe0) + esc(0x80));
    expect(d.decode(bytes(0xc0), { stream: true })).toBe(esc(0xc0));
  });

  it("5 MiB of random bytes in frames of odd sizes", () => {
    const data = randomBytes(5 * 1024 * 1024, 99);
    const d = new ByteTextDecoder();
    const parts: string[] = [];
    for (let i = 0, size = 1; i < data.length; i += size, size = (size * 7 + 3) % 70_000 || 1) {
      parts.push(d.decode(data.subarray(i, i + size), { stream: true }));
    }
    parts.push(d.decode());
    const back = encodeBytes(parts.join(""));
    expect(Buffer.compare(Buffer.from(back), Buffer.from(data))).toBe(0);
  });
});
