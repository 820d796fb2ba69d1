// Label selectors: the `labelSelector=` string grammar (k8s.io/apimachinery/pkg/labels),
// matching, and conversion from metav1.LabelSelector. The lexer and parser follow the
// upstream ones token for token so that malformed selectors fail with the same
// messages kubectl users know ("unable to parse requirement: ...", "found 'x', expected: ...").
import type { LabelSelector } from "./types";
import { badRequest } from "./errors";
import { isQualifiedName, isValidLabelValue } from "./name-rules";

/** selection.Operator values, spelled as upstream spells them. */
type LabelOperator = "=" | "==" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  /** Sorted and de-duplicated, as upstream keeps them in a set. */
  values: string[];
}

const BINARY_OPERATORS = ["in", "notin", "=", "==", "!=", "gt", "lt"];

type Tok = "error" | "eos" | ")" | "," | "!" | "==" | "=" | ">" | "id" | "in" | "<" | "!=" | "notin" | "(";

const STRING_TO_TOKEN: Record<string, Tok> = {
  ")": ")",
  ",": ",",
  "!": "!",
  "==": "==",
  "=": "=",
  ">": ">",
  in: "in",
  "<": "<",
  "!=": "!=",
  notin: "notin",
  "(": "(",
};

const isWhitespace = (c: string) => c === " " || c === "\t" || c === "\r" || c === "\n";
const isSpecial = (c: string) => "=!(),><".includes(c);

interface Item {
  tok: Tok;
  lit: string;
}

function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos])) pos++;
    if (pos >= s.length) {
      items.push({ tok: "eos", lit: "" });
      return items;
    }
    if (isSpecial(s[pos])) {
      // Greedy: the longest run of special characters that is still a token.
      let buf = "";
      let last: Item | undefined;
      while (pos < s.length && isSpecial(s[pos])) {
        const next = buf + s[pos];
        if (STRING_TO_TOKEN[next]) {
          buf = next;
          last = { tok: STRING_TO_TOKEN[next], lit: next };
          pos++;
        } else if (last) {
          break;
        } else {
          buf = next;
          pos++;
        }
      }
      items.push(last ?? { tok: "error", lit: `error expected: keyword found '${buf}'` });
      continue;
    }
    let buf = "";
    while (pos < s.length && !isSpecial(s[pos]) && !isWhitespace(s[pos])) buf += s[pos++];
    const kw = STRING_TO_TOKEN[buf];
    items.push({ tok: kw === "in" || kw === "notin" ? kw : "id", lit: buf });
  }
}

/** Error text of a field.Error whose path is nil (upstream prints "<nil>"). */
const fieldInvalid = (path: string, value: string, detail: string) => `${path}: Invalid value: ${JSON.stringify(value)}: ${detail}`;

class Parser {
  private pos = 0;
  constructor(private readonly items: Item[]) {}

  // In value context the keywords "in"/"notin" are plain identifiers ("x in (in)").
  private lookahead(values: boolean): Item {
    const it = this.items[this.pos];
    return values && (it.tok === "in" || it.tok === "notin") ? { tok: "id", lit: it.lit } : it;
  }

  private consume(values: boolean): Item {
    const it = this.lookahead(values);
    this.pos++;
    return it;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead(true);
      if (tok === "id" || tok === "!") {
        let r: LabelRequirement;
        try {
          r = this.parseRequirement();
        } catch (e) {
          throw new Error(`unable to parse requirement: ${(e as Error).message}`);
        }
        reqs.push(r);
        const t = this.consume(true);
        if (t.tok === "eos") return reqs;
        if (t.tok === ",") {
          const t2 = this.lookahead(true);
          if (t2.tok !== "id" && t2.tok !== "!") throw new Error(`found '${t2.lit}', expected: identifier after ','`);
          continue;
        }
        throw new Error(`found '${t.lit}', expected: ',' or 'end of string'`);
      }
      if (tok === "eos") return reqs;
      throw new Error(`found '${lit}', expected: !, identifier, or 'end of string'`);
    }
  }

  private parseRequirement(): LabelRequirement {
    const { key, op } = this.parseKeyAndInferOperator();
    if (op === "exists" || op === "!") return newRequirement(key, op, []);
    const operator = this.parseOperator();
    const values = operator === "in" || operator === "notin" ? this.parseValues() : this.parseExactValue();
    return newRequirement(key, operator, values);
  }

  private parseKeyAndInferOperator(): { key: string; op?: LabelOperator } {
    let op: LabelOperator | undefined;
    let it = this.consume(true);
    if (it.tok === "!") {
      op = "!";
      it = this.consume(true);
    }
    if (it.tok !== "id") throw new Error(`found '${it.lit}', expected: identifier`);
    const keyErrs = isQualifiedName(it.lit);
    if (keyErrs.length) throw new Error(fieldInvalid("<nil>", it.lit, keyErrs.join("; ")));
    const next = this.lookahead(true).tok;
    if ((next === "eos" || next === ",") && op !== "!") op = "exists";
    return { key: it.lit, op };
  }

  private parseOperator(): LabelOperator {
    const { tok, lit } = this.consume(false);
    switch (tok) {
      case "in":
        return "in";
      case "notin":
        return "notin";
      case "=":
        return "=";
      case "==":
        return "==";
      case "!=":
        return "!=";
      case ">":
        return "gt";
      case "<":
        return "lt";
      default:
        throw new Error(`found '${lit}', expected: ${BINARY_OPERATORS.join(", ")}`);
    }
  }

  private parseValues(): string[] {
    const open = this.consume(true);
    if (open.tok !== "(") throw new Error(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead(true);
    if (tok === "id" || tok === ",") {
      const s = this.parseIdentifiersList();
      // Upstream reports the literal seen before the list, not the offending one.
      if (this.consume(true).tok !== ")") throw new Error(`found '${lit}', expected: ')'`);
      return s;
    }
    if (tok === ")") {
      this.consume(true);
      return [""];
    }
    throw new Error(`found '${lit}', expected: ',', ')' or identifier`);
  }

  private parseIdentifiersList(): string[] {
    const s = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume(true);
      if (tok === "id") {
        s.add(lit);
        const t2 = this.lookahead(true);
        if (t2.tok === ",") continue;
        if (t2.tok === ")") return [...s];
        throw new Error(`found '${t2.lit}', expected: ',' or ')'`);
      }
      if (tok === ",") {
        if (s.size === 0) s.add(""); // "(,"
        const t2 = this.lookahead(true).tok;
        if (t2 === ")") {
          s.add(""); // ",)"
          return [...s];
        }
        if (t2 === ",") {
          this.consume(true);
          s.add(""); // ",,"
        }
        continue;
      }
      throw new Error(`found '${lit}', expected: ',', or identifier`);
    }
  }

  private parseExactValue(): string[] {
    const t = this.lookahead(true).tok;
    if (t === "eos" || t === ",") return [""];
    const { tok, lit } = this.consume(true);
    if (tok === "id") return [lit];
    throw new Error(`found '${lit}', expected: identifier`);
  }
}

const INT64 = /^[+-]?\d+$/;

/** labels.NewRequirement: validates and normalises (values sorted and de-duplicated). */
function newRequirement(key: string, operator: LabelOperator, rawValues: string[]): LabelRequirement {
  const values = [...new Set(rawValues)].sort();
  const errs: string[] = [];
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length) errs.push(fieldInvalid("key", key, keyErrs.join("; ")));
  if ((operator === "in" || operator === "notin") && values.length === 0) {
    errs.push(`values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty`);
  }
  if ((operator === "exists" || operator === "!") && values.length > 0) {
    errs.push(`values: Invalid value: []string{${values.map((v) => JSON.stringify(v)).join(", ")}}: values set must be empty for exists and does not exist`);
  }
  if (operator === "gt" || operator === "lt") {
    values.forEach((v, i) => {
      if (!INT64.test(v)) errs.push(fieldInvalid(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
    });
  }
  values.forEach((v, i) => {
    const ve = isValidLabelValue(v);
    if (ve.length) errs.push(fieldInvalid(`values[${i}][${key}]`, v, ve.join("; ")));
  });
  const unique = [...new Set(errs)];
  if (unique.length === 1) throw new Error(unique[0]);
  if (unique.length > 1) throw new Error(`[${unique.join(", ")}]`);
  return { key, operator, values };
}

/**
 * Parse a `labelSelector=` query value (already URL-decoded). An empty string selects
 * everything. Errors are 400 BadRequest with the API server's message.
 */
export function parseLabelSelector(s: string): LabelRequirement[] {
  let reqs: LabelRequirement[];
  try {
    reqs = new Parser(lex(s)).parse();
  } catch (e) {
    throw badRequest((e as Error).message);
  }
  // Sorted by key, as upstream, so the selector prints and compares deterministically.
  return reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function matchesOne(r: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case "in":
    case "=":
    case "==":
      return has && r.values.includes(v!);
    case "notin":
    case "!=":
      return !has || !r.values.includes(v!);
    case "exists":
      return has;
    case "!":
      return !has;
    case "gt":
    case "lt": {
      if (!has || !INT64.test(v!) || r.values.length !== 1 || !INT64.test(r.values[0])) return false;
      const a = BigInt(v!);
      const b = BigInt(r.values[0]);
      return r.operator === "gt" ? a > b : a < b;
    }
  }
}

/**
 * Whether labels satisfy every requirement. `null` is the selector that matches nothing
 * (what a missing metav1.LabelSelector means); an empty list matches everything.
 */
export function matchesLabels(reqs: LabelRequirement[] | null, labels: Record<string, string> | undefined): boolean {
  if (reqs === null) return false;
  const l = labels ?? {};
  return reqs.every((r) => matchesOne(r, l));
}

/** The requirements that are plain `key=value` equalities: these can be pushed down to SQL. */
export function equalityPushdown(reqs: LabelRequirement[] | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of reqs ?? []) {
    const exact = r.operator === "=" || r.operator === "==" || (r.operator === "in" && r.values.length === 1);
    if (exact && !(r.key in out)) out[r.key] = r.values[0];
  }
  return out;
}

const EXPRESSION_OPERATORS: Record<string, LabelOperator> = { In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!" };

/**
 * metav1.LabelSelectorAsSelector: `null`/`undefined` selects nothing, `{}` everything.
 * Throws 400 for an unknown operator or invalid keys/values.
 */
export function selectorFromLabelSelector(sel: LabelSelector | null | undefined): LabelRequirement[] | null {
  if (!sel) return null;
  const reqs: LabelRequirement[] = [];
  try {
    for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push(newRequirement(k, "=", [v]));
    for (const expr of sel.matchExpressions ?? []) {
      const op = EXPRESSION_OPERATORS[expr.operator];
      if (!op) throw new Error(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
      reqs.push(newRequirement(expr.key, op, [...(expr.values ?? [])]));
    }
  } catch (e) {
    throw badRequest((e as Error).message);
  }
  // Stable sort by key, like selector.Add.
  return reqs.map((r, i) => [r, i] as const).sort(([a, i], [b, j]) => (a.key < b.key ? -1 : a.key > b.key ? 1 : i - j)).map(([r]) => r);
}

function requirementString(r: LabelRequirement): string {
  const vals = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(",");
  switch (r.operator) {
    case "!":
      return `!${r.key}`;
    case "exists":
      return r.key;
    case "in":
      return `${r.key} in (${vals})`;
    case "notin":
      return `${r.key} notin (${vals})`;
    case "gt":
      return `${r.key}>${vals}`;
    case "lt":
      return `${r.key}<${vals}`;
    default:
      return `${r.key}${r.operator}${vals}`;
  }
}

/**
 * The selector as the API server prints it (Selector.String): "app=x,tier in (a,b)".
 * Empty for "everything" and "nothing"; "<error>" for an unconvertible metav1 selector
 * (what metav1.FormatLabelSelector prints; describe maps "" to "<none>").
 */
export function formatLabelSelector(sel: LabelSelector | LabelRequirement[] | null | undefined): string {
  let reqs: LabelRequirement[] | null;
  if (Array.isArray(sel)) reqs = sel;
  else {
    try {
      reqs = selectorFromLabelSelector(sel);
    } catch {
      return "<error>";
    }
  }
  return (reqs ?? []).map(requirementString).join(",");
}
