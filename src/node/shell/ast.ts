// The shell's syntax tree. Plain JSON on purpose: a container's main program is a shell
// machine whose stack holds these nodes, and the machine is persisted between alarms.

export type WordPart =
  /** Literal text; `q` when it came from quotes or an escape (no splitting, no globbing). */
  | { t: "lit"; v: string; q: boolean }
  /** $NAME, ${NAME}, ${NAME:-word}, ${#NAME}, $?, $1... */
  | { t: "var"; name: string; q: boolean; op?: ":-" | "-" | ":=" | "=" | ":+" | "+" | "#"; arg?: Word }
  /** $(...) or `...`, kept as source and parsed when it runs. */
  | { t: "cmd"; src: string; q: boolean }
  /** $((...)) */
  | { t: "arith"; expr: string; q: boolean };

export interface Word {
  parts: WordPart[];
}

export interface Redirect {
  fd: number;
  /** ">&" duplicates a descriptor (2>&1); "&>" sends both stdout and stderr to a file. */
  op: ">" | ">>" | "<" | ">&" | "&>";
  target: Word;
}

export interface SimpleCommand {
  type: "simple";
  assigns: { name: string; value: Word }[];
  words: Word[];
  redirects: Redirect[];
}

export interface Pipeline {
  type: "pipeline";
  negate: boolean;
  commands: Command[];
}

export interface AndOr {
  type: "andor";
  first: Pipeline;
  rest: { op: "&&" | "||"; pipeline: Pipeline }[];
}

export interface List {
  type: "list";
  items: AndOr[];
}

export interface Loop {
  type: "loop";
  until: boolean;
  cond: List;
  body: List;
}

export interface For {
  type: "for";
  name: string;
  /** null: iterate over the positional parameters. */
  words: Word[] | null;
  body: List;
}

export interface If {
  type: "if";
  clauses: { cond: List; body: List }[];
  otherwise?: List;
}

interface Group {
  type: "group";
  /** ( ... ) runs in a subshell: variable and directory changes do not leak out. */
  subshell: boolean;
  body: List;
}

export type Command = SimpleCommand | Loop | For | If | Group;
export type Node = List | AndOr | Pipeline | Command;
