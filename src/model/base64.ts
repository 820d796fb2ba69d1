// Base64 as Go's encoding/json reads a []byte (base64.StdEncoding): padded, with CR and
// LF ignored; anything else fails at an offset ("illegal base64 data at input byte 4"),
// which the API server reports as the body's decode error. Secret `data` and ConfigMap
// `binaryData` are []byte.

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const VALUE = new Map([...ALPHABET].map((c, i) => [c, i]));

export class Base64Error extends Error {
  constructor(readonly offset: number) {
    super(`illegal base64 data at input byte ${offset}`);
  }
}

/** The bytes of a standard, padded base64 string; throws Base64Error as Go's decoder does. */
export function decodeBase64(text: string): Uint8Array {
  const out: number[] = [];
  let i = 0;
  const n = text.length;
  const skipNewlines = () => {
    while (i < n && (text[i] === "\r" || text[i] === "\n")) i++;
  };
  while (true) {
    skipNewlines();
    if (i >= n) break;
    const start = i;
    const quantum: number[] = [];
    let padding = 0;
    while (quantum.length + padding < 4) {
      skipNewlines();
      if (i >= n) throw new Base64Error(start); // a quantum cut short (padding is required)
      const c = text[i];
      if (c === "=") {
        // Padding only after two or three symbols, and nothing but newlines after it.
        if (quantum.length < 2) throw new Base64Error(i);
        padding++;
        i++;
        continue;
      }
      if (padding) throw new Base64Error(i);
      const v = VALUE.get(c);
      if (v === undefined) throw new Base64Error(i);
      quantum.push(v);
      i++;
    }
    const bits = quantum.reduce((acc, v, k) => acc | (v << (18 - 6 * k)), 0);
    out.push((bits >> 16) & 0xff);
    if (quantum.length > 2) out.push((bits >> 8) & 0xff);
    if (quantum.length > 3) out.push(bits & 0xff);
    if (padding) {
      skipNewlines();
      if (i < n) throw new Base64Error(i);
    }
  }
  return Uint8Array.from(out);
}

/** The byte length of stored (already valid) base64, without decoding it. */
export function base64DecodedLength(text: string): number {
  const clean = text.replace(/[\r\n]/g, "");
  const pad = clean.endsWith("==") ? 2 : clean.endsWith("=") ? 1 : 0;
  return Math.floor(clean.length / 4) * 3 - pad;
}
