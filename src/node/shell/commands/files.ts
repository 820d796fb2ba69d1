// Commands over the container filesystem: cat mkdir touch rm pwd which (ls has its own file).
import { FsError, normalizePath } from "../../runtime/fs";
import { errnoText, parseOpts, type CommandContext, type CommandFn } from "./types";

const busybox = (ctx: CommandContext) => ctx.host.image.userland === "busybox";
const abs = (ctx: CommandContext, p: string) => normalizePath(p, ctx.shell.cwd);

export const cat: CommandFn = (ctx) => {
  const files = ctx.argv.slice(1).filter((a) => a !== "-u");
  if (!files.length) {
    ctx.io.out(ctx.io.stdin.readAll());
    return 0;
  }
  let status = 0;
  for (const f of files) {
    if (f === "-") {
      ctx.io.out(ctx.io.stdin.readAll());
      continue;
    }
    try {
      const data = ctx.host.fs.read(abs(ctx, f));
      if (data === undefined) throw new FsError("ENOENT", f);
      ctx.io.out(data);
    } catch (e) {
      const code = e instanceof FsError ? e.code : "EIO";
      if (busybox(ctx)) ctx.io.err(code === "EISDIR" ? `cat: read error: Is a directory\n` : `cat: can't open '${f}': ${errnoText(code)}\n`);
      else ctx.io.err(`cat: ${f}: ${errnoText(code)}\n`);
      status = 1;
    }
  }
  return status;
};

export const mkdir: CommandFn = (ctx) => {
  const { flags, operands } = parseOpts(ctx.argv.slice(1));
  let status = 0;
  for (const d of operands) {
    try {
      ctx.host.fs.mkdir(abs(ctx, d), !!flags.p, ctx.now);
    } catch (e) {
      const code = e instanceof FsError ? e.code : "EIO";
      ctx.io.err(
        busybox(ctx) ? `mkdir: can't create directory '${d}': ${errnoText(code)}\n` : `mkdir: cannot create directory '${d}': ${errnoText(code)}\n`,
      );
      status = 1;
    }
  }
  return status;
};

export const touch: CommandFn = (ctx) => {
  let status = 0;
  for (const f of ctx.argv.slice(1).filter((a) => !a.startsWith("-"))) {
    const p = abs(ctx, f);
    try {
      if (!ctx.host.fs.stat(p)) ctx.host.fs.write(p, "", false, ctx.now);
      else ctx.host.fs.setMtime(p, ctx.now);
    } catch (e) {
      const code = e instanceof FsError ? e.code : "EIO";
      ctx.io.err(busybox(ctx) ? `touch: ${f}: ${errnoText(code)}\n` : `touch: cannot touch '${f}': ${errnoText(code)}\n`);
      status = 1;
    }
  }
  return status;
};

export const rm: CommandFn = (ctx) => {
  const { flags, operands } = parseOpts(ctx.argv.slice(1));
  const recursive = !!(flags.r || flags.R);
  let status = 0;
  for (const f of operands) {
    const p = abs(ctx, f);
    const e = ctx.host.fs.stat(p);
    if (!e) {
      if (!flags.f) {
        ctx.io.err(busybox(ctx) ? `rm: can't remove '${f}': No such file or directory\n` : `rm: cannot remove '${f}': No such file or directory\n`);
        status = 1;
      }
      continue;
    }
    if (e.k === "d" && !recursive) {
      ctx.io.err(busybox(ctx) ? `rm: '${f}' is a directory\n` : `rm: cannot remove '${f}': Is a directory\n`);
      status = 1;
      continue;
    }
    try {
      ctx.host.fs.remove(p, recursive);
    } catch (err) {
      const code = err instanceof FsError ? err.code : "EIO";
      ctx.io.err(`rm: cannot remove '${f}': ${errnoText(code)}\n`);
      status = 1;
    }
  }
  return status;
};

export const pwd: CommandFn = (ctx) => {
  ctx.io.out(ctx.shell.cwd + "\n");
  return 0;
};

export const which: CommandFn = (ctx) => {
  let status = 0;
  for (const name of ctx.argv.slice(1)) {
    const found = findExecutable(ctx, name);
    if (found) ctx.io.out(found + "\n");
    else status = 1;
  }
  return status;
};

/** PATH lookup as execvp does it: a name with a slash is a path, otherwise each PATH directory in turn. */
export function findExecutable(ctx: Pick<CommandContext, "host" | "shell" | "env">, name: string): string | undefined {
  if (name.includes("/")) {
    const p = normalizePath(name, ctx.shell.cwd);
    return ctx.host.fs.stat(p)?.k === "x" ? p : undefined;
  }
  const path = ctx.env.PATH ?? ctx.shell.vars.PATH ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const dir of path.split(":")) {
    if (!dir) continue;
    const p = normalizePath(`${dir}/${name}`);
    if (ctx.host.fs.stat(p)?.k === "x") return p;
  }
  return undefined;
}

