// Builtins that change the shell's own state (cd, export, read...). Control-flow
// builtins (exit, break, continue, exec, eval, .) move the machine's stack, so they live
// with the launcher (launch.ts), which can reach it.
import { normalizePath } from "../runtime/fs";
import { findExecutable } from "./commands/files";
import { SHELL_BUILTINS } from "./commands";
import type { CommandContext, CommandFn } from "./commands/types";

function shellPrefix(ctx: CommandContext): string {
  const name = ctx.shell.args[0] ?? "sh";
  return ctx.shell.flavour === "dash" ? `${name}: 1: ` : `${name}: `;
}

function setVar(ctx: CommandContext, name: string, value: string, exportIt = false): void {
  ctx.shell.vars[name] = value;
  if (exportIt && !ctx.shell.exported.includes(name)) ctx.shell.exported.push(name);
}

const cd: CommandFn = (ctx) => {
  const arg = ctx.argv[1];
  const target = arg === undefined ? (ctx.shell.vars.HOME ?? "/") : arg === "-" ? (ctx.shell.vars.OLDPWD ?? ctx.shell.cwd) : arg;
  const path = normalizePath(target, ctx.shell.cwd);
  const e = ctx.host.fs.stat(path);
  if (e?.k !== "d") {
    const why = e ? "Not a directory" : "No such file or directory";
    if (ctx.shell.flavour === "bash") ctx.io.err(`${shellPrefix(ctx)}cd: ${target}: ${why}\n`);
    else if (ctx.shell.flavour === "dash") ctx.io.err(`${shellPrefix(ctx)}cd: can't cd to ${target}\n`);
    else ctx.io.err(`${shellPrefix(ctx)}cd: can't cd to ${target}: ${why}\n`);
    return ctx.shell.flavour === "dash" ? 2 : 1;
  }
  if (arg === "-") ctx.io.out(path + "\n");
  setVar(ctx, "OLDPWD", ctx.shell.cwd, ctx.shell.exported.includes("PWD"));
  ctx.shell.cwd = path;
  setVar(ctx, "PWD", path, ctx.shell.exported.includes("PWD"));
  return 0;
};

const exportCmd: CommandFn = (ctx) => {
  const args = ctx.argv.slice(1).filter((a) => a !== "-p");
  if (!args.length) {
    for (const name of ctx.shell.exported) {
      const v = ctx.shell.vars[name];
      if (v === undefined) continue;
      ctx.io.out(ctx.shell.flavour === "bash" ? `declare -x ${name}="${v.replace(/(["\\$`])/g, "\\$1")}"\n` : `export ${name}='${v.replace(/'/g, "'\\''")}'\n`);
    }
    return 0;
  }
  for (const a of args) {
    const i = a.indexOf("=");
    const name = i < 0 ? a : a.slice(0, i);
    if (!/^[A-Za-z_]\w*$/.test(name)) {
      ctx.io.err(ctx.shell.flavour === "bash" ? `${shellPrefix(ctx)}export: \`${a}': not a valid identifier\n` : `${shellPrefix(ctx)}export: ${name}: bad variable name\n`);
      return ctx.shell.flavour === "bash" ? 1 : 2;
    }
    if (i >= 0) ctx.shell.vars[name] = a.slice(i + 1);
    if (!ctx.shell.exported.includes(name)) ctx.shell.exported.push(name);
  }
  return 0;
};

const unset: CommandFn = (ctx) => {
  for (const name of ctx.argv.slice(1).filter((a) => !a.startsWith("-"))) {
    delete ctx.shell.vars[name];
    ctx.shell.exported = ctx.shell.exported.filter((n) => n !== name);
  }
  return 0;
};

const set: CommandFn = (ctx) => {
  const args = ctx.argv.slice(1);
  const dd = args.indexOf("--");
  if (dd >= 0) {
    ctx.shell.args = [ctx.shell.args[0], ...args.slice(dd + 1)];
    return 0;
  }
  if (!args.length) {
    for (const [k, v] of Object.entries(ctx.shell.vars)) ctx.io.out(`${k}='${v.replace(/'/g, "'\\''")}'\n`);
  }
  return 0; // -e -x -u -o pipefail: accepted, not modelled
};

const read: CommandFn = (ctx) => {
  const args = ctx.argv.slice(1).filter((a) => !a.startsWith("-"));
  const line = ctx.io.stdin.readLine();
  if (line === null) return 1;
  const names = args.length ? args : ["REPLY"];
  const fields = line.trim().split(/\s+/);
  names.forEach((n, i) => {
    ctx.shell.vars[n] = i === names.length - 1 ? fields.slice(i).join(" ") : (fields[i] ?? "");
  });
  return 0;
};

const shift: CommandFn = (ctx) => {
  const n = Number(ctx.argv[1] ?? 1);
  if (n > ctx.shell.args.length - 1) return 1;
  ctx.shell.args = [ctx.shell.args[0], ...ctx.shell.args.slice(1 + n)];
  return 0;
};

const SPECIAL = ["cd", "export", "unset", "set", "read", "shift", "exit", "exec", "eval", ".", "source", "break", "continue", "type", "command", "wait", "trap", "umask", "ulimit", "kill", "return", "local"];

const typeCmd: CommandFn = (ctx) => {
  const verbose = ctx.argv[0] === "type";
  const names = ctx.argv.slice(1).filter((a) => !a.startsWith("-"));
  let status = 0;
  for (const n of names) {
    if (SPECIAL.includes(n) || n in SHELL_BUILTINS) {
      ctx.io.out(verbose ? `${n} is a shell builtin\n` : `${n}\n`);
      continue;
    }
    const p = findExecutable(ctx, n);
    if (p) ctx.io.out(verbose ? `${n} is ${p}\n` : `${p}\n`);
    else {
      if (verbose) ctx.io.err(ctx.shell.flavour === "bash" ? `${shellPrefix(ctx)}type: ${n}: not found\n` : `${n}: not found\n`);
      status = 1;
    }
  }
  return status;
};

const noop: CommandFn = () => 0;

export const STATE_BUILTINS: Record<string, CommandFn> = {
  cd,
  export: exportCmd,
  unset,
  set,
  read,
  shift,
  type: typeCmd,
  wait: noop,
  trap: noop,
  umask: noop,
  ulimit: noop,
  local: (ctx) => {
    for (const a of ctx.argv.slice(1)) {
      const i = a.indexOf("=");
      if (i > 0) ctx.shell.vars[a.slice(0, i)] = a.slice(i + 1);
    }
    return 0;
  },
};

export { typeCmd };
