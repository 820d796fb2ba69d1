// Bytes as JavaScript text, losslessly. The shell's data type is the string, but what
// flows through exec streams, pipes and files may be any bytes (gzip output, a tar
// archive, random data). UTF-8 decodes as usual, and every byte that is not part of a
// valid UTF-8 sequence becomes the lone surrogate U+DC80+byte (U+DC80..U+DCFF: Python's
// "surrogateescape"); encoding turns those back into their byte. So encodeBytes of
// decodeBytes gives back the very same bytes, whatever they are, and text stays
// ordinary text that string functions, regular expressions and JSON handle as usual.
//
// Validity is the Unicode/WHATWG definition: overlong forms, encoded surrogates
// (ED A0..BF) and code points above U+10FFFF are not valid, so their bytes are escaped
// one by one. A string holding some other lone surrogate (which no decoding produces)
// encodes it as U+FFFD, as TextEncoder does. Leaf module: it imports nothing of ours.

/** Byte b (0x80..0xFF) that is not valid UTF-8 is the code unit ESCAPE + b. */
const ESCAPE = 0xdc00;
/** Code units turned into a string per String.fromCharCode call (its argument count is limited). */
const STRING_CHUNK = 0x2000;

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;
const isEscape = (c: number) => c >= 0xdc80 && c <= 0xdcff;

/** What encodeBytes(text).length is, without encoding. */
export function byteLength(text: string): number {
  const n = text.length;
  let bytes = n;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (isHigh(c) && i + 1 < n && isLow(text.charCodeAt(i + 1))) {
      bytes += 2; // two code units, four bytes
      i++;
    } else if (!isEscape(c)) bytes += 2; // three bytes (a stray surrogate is U+FFFD)
  }
  return bytes;
}

const textEncoder = new TextEncoder();

/** UTF-8, with each lone U+DC80..U+DCFF turned back into the byte it stands for. */
export function encodeBytes(text: string): Uint8Array {
  const n = text.length;
  let plain = true;
  for (let i = 0; i < n && plain; i++) {
    const c = text.charCodeAt(i);
    if (isHigh(c) && i + 1 < n && isLow(text.charCodeAt(i + 1))) i++;
    else if (isEscape(c)) plain = false;
  }
  // No escapes: the platform's encoder does the same, faster.
  if (plain) return textEncoder.encode(text);
  const out = new Uint8Array(byteLength(text));
  let o = 0;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[o++] = c;
    } else if (c < 0x800) {
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 0x3f);
    } else if (isHigh(c) && i + 1 < n && isLow(text.charCodeAt(i + 1))) {
      const cp = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
      out[o++] = 0xf0 | (cp >> 18);
      out[o++] = 0x80 | ((cp >> 12) & 0x3f);
      out[o++] = 0x80 | ((cp >> 6) & 0x3f);
      out[o++] = 0x80 | (cp & 0x3f);
    } else if (isEscape(c)) {
      out[o++] = c - ESCAPE;
    } else {
      if (isHigh(c) || isLow(c)) c = 0xfffd;
      out[o++] = 0xe0 | (c >> 12);
      out[o++] = 0x80 | ((c >> 6) & 0x3f);
      out[o++] = 0x80 | (c & 0x3f);
    }
  }
  return out;
}

/**
 * Per lead byte: the length of the sequence it starts (0: it starts none) and the
 * range its second byte must be in; later bytes are always 80..BF. The narrower ranges
 * keep out overlong forms (E0, F0), encoded surrogates (ED) and code points above
 * U+10FFFF (F4).
 */
const SEQ_LEN = new Uint8Array(256);
const SECOND_LO = new Uint8Array(256);
const SECOND_HI = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  SEQ_LEN[b] = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
  SECOND_LO[b] = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
  SECOND_HI[b] = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
}

/** Whether bytes[i] starts a complete valid sequence of `len` (>= 2) bytes. */
function validAt(bytes: Uint8Array, i: number, len: number): boolean {
  if (i + len > bytes.length) return false;
  const b = bytes[i];
  const second = bytes[i + 1];
  if (second < SECOND_LO[b] || second > SECOND_HI[b]) return false;
  for (let k = 2; k < len; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return false;
  return true;
}

/**
 * Where the bytes stop being complete: the start of a valid but unfinished sequence at
 * the very end (at most 3 bytes), or the length when there is none.
 */
function completeEnd(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let p = n - 1; p >= 0 && p >= n - 3; p--) {
    const b = bytes[p];
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: its lead is further back
    const len = SEQ_LEN[b];
    if (len < 2 || n - p >= len) return n;
    if (p + 1 < n && (bytes[p + 1] < SECOND_LO[b] || bytes[p + 1] > SECOND_HI[b])) return n;
    for (let q = p + 2; q < n; q++) if ((bytes[q] & 0xc0) !== 0x80) return n;
    return p;
  }
  return n;
}

const fatalDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function decodeEscaping(bytes: Uint8Array): string {
  const n = bytes.length;
  // Never more code units than bytes: a 4-byte sequence is 2 of them, the rest 1 each.
  const units = new Uint16Array(n);
  let o = 0;
  for (let i = 0; i < n; ) {
    const b = bytes[i];
    if (b < 0x80) {
      units[o++] = b;
      i++;
      continue;
    }
    const len = SEQ_LEN[b];
    if (len === 0 || !validAt(bytes, i, len)) {
      units[o++] = ESCAPE + b;
      i++;
      continue;
    }
    if (len === 2) units[o++] = ((b & 0x1f) << 6) | (bytes[i + 1] & 0x3f);
    else if (len === 3) units[o++] = ((b & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f);
    else {
      const cp = (((b & 0x07) << 18) | ((bytes[i + 1] & 0x3f) << 12) | ((bytes[i + 2] & 0x3f) << 6) | (bytes[i + 3] & 0x3f)) - 0x10000;
      units[o++] = 0xd800 + (cp >> 10);
      units[o++] = 0xdc00 + (cp & 0x3ff);
    }
    i += len;
  }
  const parts: string[] = [];
  for (let k = 0; k < o; k += STRING_CHUNK) parts.push(String.fromCharCode.apply(null, units.subarray(k, Math.min(o, k + STRING_CHUNK)) as unknown as number[]));
  return parts.join("");
}

/** UTF-8 text; each byte not part of a valid sequence becomes U+DC80+byte. */
export function decodeBytes(bytes: Uint8Array): string {
  try {
    // Valid UTF-8 (most text): the platform's decoder, which is exact for it.
    return fatalDecoder.decode(bytes);
  } catch {
    return decodeEscaping(bytes);
  }
}

/**
 * decodeBytes over a stream of chunks split anywhere (WebSocket frames): with
 * `{ stream: true }` a sequence cut at a chunk's end waits for the next chunk; the last
 * call (without it) escapes whatever is still incomplete. Decoding a stream in any
 * chunks gives the same text as decoding it whole.
 */
export class ByteTextDecoder {
  private pending: Uint8Array | null = null;

  decode(chunk: Uint8Array = new Uint8Array(0), opts: { stream?: boolean } = {}): string {
    let bytes = chunk;
    if (this.pending) {
      bytes = new Uint8Array(this.pending.length + chunk.length);
      bytes.set(this.pending);
      bytes.set(chunk, this.pending.length);
      this.pending = null;
    }
    const end = opts.stream ? completeEnd(bytes) : bytes.length;
    if (end < bytes.length) this.pending = bytes.slice(end);
    return decodeBytes(end < bytes.length ? bytes.subarray(0, end) : bytes);
  }
}
