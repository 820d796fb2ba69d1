// $(( ... )): integer arithmetic with + - * / % ( ), comparisons and variables, enough
// for counters in loops (`i=$((i+1))`).

export class ArithError extends Error {}

export function evalArith(expr: string, lookup: (name: string) => string | undefined): number {
  const tokens = expr.match(/\d+|[A-Za-z_]\w*|==|!=|<=|>=|&&|\|\||[-+*/%()<>!]/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const num = (s: string | undefined): number => {
    const n = Number.parseInt(s ?? "0", 10);
    return Number.isNaN(n) ? 0 : n;
  };
  const primary = (): number => {
    const t = tokens[i++];
    if (t === undefined) throw new ArithError("syntax error: operand expected");
    if (t === "(") {
      const v = or();
      if (tokens[i++] !== ")") throw new ArithError("missing `)'");
      return v;
    }
    if (t === "-") return -primary();
    if (t === "+") return primary();
    if (t === "!") return primary() ? 0 : 1;
    if (/^\d+$/.test(t)) return Number.parseInt(t, 10);
    if (/^[A-Za-z_]/.test(t)) return num(lookup(t));
    throw new ArithError(`syntax error: operand expected (error token is "${t}")`);
  };
  const binary = (next: () => number, ops: Record<string, (a: number, b: number) => number>) => (): number => {
    let v = next();
    while (peek() !== undefined && ops[peek()!]) {
      const op = ops[tokens[i++]];
      v = op(v, next());
    }
    return v;
  };
  const mul = binary(primary, {
    "*": (a, b) => a * b,
    "/": (a, b) => {
      if (b === 0) throw new ArithError("division by 0");
      return Math.trunc(a / b);
    },
    "%": (a, b) => {
      if (b === 0) throw new ArithError("division by 0");
      return a % b;
    },
  });
  const add = binary(mul, { "+": (a, b) => a + b, "-": (a, b) => a - b });
  const cmp = binary(add, {
    "<": (a, b) => +(a < b),
    ">": (a, b) => +(a > b),
    "<=": (a, b) => +(a <= b),
    ">=": (a, b) => +(a >= b),
  });
  const eq = binary(cmp, { "==": (a, b) => +(a === b), "!=": (a, b) => +(a !== b) });
  const and = binary(eq, { "&&": (a, b) => +(!!a && !!b) });
  const or = binary(and, { "||": (a, b) => +(!!a || !!b) });
  if (!tokens.length) return 0;
  const v = or();
  if (i < tokens.length) throw new ArithError(`syntax error in expression (error token is "${tokens[i]}")`);
  return v;
}
