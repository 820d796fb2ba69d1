// Kubernetes resource quantities ("250m", "1.5Gi", "128M", "1e3"), parsed exactly.
//
// A quantity is held as N * 10^S with N a bigint: binary suffixes multiply N by 1024^k,
// decimal suffixes and exponents move S. Keeping it exact matters because "0.1" cpu
// must be 100 millicores, not 100.00000000000001 rounded up to 101, and because the
// canonical text the API server prints ("1500m", "1536Mi", "2k") depends on exact
// divisibility (k8s.io/apimachinery/pkg/api/resource, CanonicalizeBytes).

/** The text the API server quotes when a quantity does not parse. */
export const QUANTITY_REGEX_MESSAGE =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

type Format = "BinarySI" | "DecimalSI" | "DecimalExponent";

interface Exact {
  n: bigint;
  s: number;
  format: Format;
}

const BINARY_SUFFIXES = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"] as const;
const DECIMAL_EXPONENTS: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const DECIMAL_SUFFIXES: Record<number, string> = { [-9]: "n", [-6]: "u", [-3]: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E" };

// sign, mantissa ("1", "1.", "1.5", ".5"), then one of: binary suffix, decimal suffix, exponent.
const GRAMMAR = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE])|[eE]([+-]?\d+))?$/;

function pow10(e: number): bigint {
  return 10n ** BigInt(e);
}

function parseExact(input: string | number): Exact {
  const text = typeof input === "number" ? String(input) : input.trim();
  const m = GRAMMAR.exec(text);
  if (!m) throw new Error(QUANTITY_REGEX_MESSAGE);
  const [, sign, mantissa, binary, decimal, exponent] = m;
  const [whole, frac = ""] = mantissa.split(".");
  let n = BigInt((whole || "0") + frac);
  let s = -frac.length;
  let format: Format = "DecimalSI";
  if (binary) {
    n *= 1024n ** BigInt(BINARY_SUFFIXES.indexOf(binary as (typeof BINARY_SUFFIXES)[number]));
    format = "BinarySI";
  } else if (decimal) {
    s += DECIMAL_EXPONENTS[decimal];
  } else if (exponent !== undefined) {
    s += Number(exponent);
    format = "DecimalExponent";
  }
  if (sign === "-") n = -n;
  return { n, s, format };
}

/** Ceiling of n / d for d > 0 (bigint division truncates toward zero). */
function ceilDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n % d !== 0n && n > 0n ? q + 1n : q;
}

/** The value scaled by 10^shift, rounded up to an integer. */
function scaledCeil(q: Exact, shift: number): bigint {
  const e = q.s + shift;
  return e >= 0 ? q.n * pow10(e) : ceilDiv(q.n, pow10(-e));
}

export function isValidQuantity(s: string): boolean {
  return typeof s === "string" && GRAMMAR.test(s.trim());
}

/** The value in base units (cores, bytes, pods); throws on text that is not a quantity. */
export function parseQuantity(s: string | number): number {
  const q = parseExact(s);
  return q.s >= 0 ? Number(q.n * pow10(q.s)) : Number(q.n) / 10 ** -q.s;
}

/** CPU in millicores, rounded up as the API server rounds sub-milli cpu. */
export function cpuMillis(s: string | number): number {
  return Number(scaledCeil(parseExact(s), 3));
}

/** Memory (or any byte quantity) in bytes, rounded up to a whole byte. */
export function memoryBytes(s: string | number): number {
  return Number(scaledCeil(parseExact(s), 0));
}

/** Exact comparison of two quantities: negative, zero or positive like a sort comparator. */
export function compareQuantities(a: string | number, b: string | number): number {
  const x = parseExact(a);
  const y = parseExact(b);
  const s = Math.min(x.s, y.s);
  const diff = x.n * pow10(x.s - s) - y.n * pow10(y.s - s);
  return diff === 0n ? 0 : diff < 0n ? -1 : 1;
}

function canonical(q: Exact): string {
  if (q.n === 0n) return "0";
  const negative = q.n < 0n;
  const abs: Exact = { ...q, n: negative ? -q.n : q.n };
  return (negative ? "-" : "") + canonicalPositive(abs);
}

function canonicalPositive(q: Exact): string {
  let format = q.format;
  if (format === "BinarySI") {
    // Like the API server: small or fractional binary values print in decimal.
    const isInteger = q.s >= 0 || q.n % pow10(-q.s) === 0n;
    const value = isInteger ? (q.s >= 0 ? q.n * pow10(q.s) : q.n / pow10(-q.s)) : 0n;
    if (isInteger && value >= 1024n) {
      let k = 0;
      let v = value;
      while (k < BINARY_SUFFIXES.length - 1 && v % 1024n === 0n) {
        v /= 1024n;
        k++;
      }
      return `${v}${BINARY_SUFFIXES[k]}`;
    }
    format = "DecimalSI";
  }
  let { n, s } = q;
  // Precision below nano rounds up to the next nano.
  if (s < -9) {
    n = ceilDiv(n, pow10(-9 - s));
    s = -9;
  }
  while (n % 10n === 0n) {
    n /= 10n;
    s++;
  }
  const e = Math.max(-9, Math.min(18, Math.floor(s / 3) * 3));
  const mantissa = n * pow10(s - e);
  if (format === "DecimalExponent") return e === 0 ? `${mantissa}` : `${mantissa}e${e}`;
  return `${mantissa}${DECIMAL_SUFFIXES[e]}`;
}

/** The canonical text the API server prints for a quantity ("1000m" -> "1", "1.5Gi" -> "1536Mi"). */
export function canonicalQuantity(s: string | number): string {
  return canonical(parseExact(s));
}

/** Bytes as the API server prints a binary quantity: "8Gi", "7934Mi", "1k" for 1000. */
export function formatMemory(bytes: number): string {
  return canonical({ n: BigInt(Math.ceil(bytes)), s: 0, format: "BinarySI" });
}

/** Millicores as the API server prints cpu: "4", "250m", "1500m". */
export function formatCpu(millis: number): string {
  return canonical({ n: BigInt(Math.ceil(millis)), s: -3, format: "DecimalSI" });
}

/**
 * a + b as resource.Quantity's Add: exact, in a's format unless a is zero (then b's),
 * printed canonically ("600Mi" + "100Mi" = "700Mi", "500m" + "500m" = "1").
 */
export function addQuantities(a: string | number, b: string | number, sign: 1 | -1 = 1): string {
  const x = parseExact(a);
  const y = parseExact(b);
  const s = Math.min(x.s, y.s);
  const n = x.n * pow10(x.s - s) + BigInt(sign) * y.n * pow10(y.s - s);
  return canonical({ n, s, format: x.n === 0n ? y.format : x.format });
}

/** The larger of two quantities (as given, not reformatted). */
export function maxQuantity(a: string, b: string): string {
  return compareQuantities(a, b) >= 0 ? a : b;
}
