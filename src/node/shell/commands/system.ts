// Commands about the process and the machine: env printenv hostname id whoami uname date ps.
import type { ProcessInfo } from "../host";
import type { Signal } from "../../images/types";
import { noSuchProcessText } from "../messages";
import type { CommandContext, CommandFn } from "./types";

const busybox = (ctx: CommandContext) => ctx.host.image.userland === "busybox";

export const env: CommandFn = (ctx) => {
  const extra = ctx.argv.slice(1).filter((a) => a.includes("="));
  const vars = { ...ctx.env };
  for (const a of extra) {
    const i = a.indexOf("=");
    vars[a.slice(0, i)] = a.slice(i + 1);
  }
  const text = Object.entries(vars).map(([k, v]) => `${k}=${v}\n`).join("");
  ctx.io.out(text);
  return 0;
};

export const printenv: CommandFn = (ctx) => {
  const names = ctx.argv.slice(1);
  if (!names.length) return env({ ...ctx, argv: ["env"] });
  let status = 0;
  for (const n of names) {
    if (n in ctx.env) ctx.io.out(ctx.env[n] + "\n");
    else status = 1;
  }
  return status;
};

export const hostname: CommandFn = (ctx) => {
  const flag = ctx.argv[1];
  if (flag === "-i" || flag === "-I") ctx.io.out(`${ctx.host.podIP}${flag === "-I" ? " " : ""}\n`);
  else ctx.io.out(ctx.host.hostname + "\n");
  return 0;
};

export const id: CommandFn = (ctx) => {
  const flag = ctx.argv[1];
  if (flag === "-u" || flag === "-g") ctx.io.out("0\n");
  else if (flag === "-un" || flag === "-nu") ctx.io.out("root\n");
  else ctx.io.out(busybox(ctx) ? "uid=0(root) gid=0(root) groups=0(root),10(wheel)\n" : "uid=0(root) gid=0(root) groups=0(root)\n");
  return 0;
};

export const whoami: CommandFn = (ctx) => {
  ctx.io.out("root\n");
  return 0;
};

export const uname: CommandFn = (ctx) => {
  const k = ctx.host.kernel;
  const flags = ctx.argv.slice(1).join("").replace(/-/g, "");
  const fields: string[] = [];
  const all = flags.includes("a");
  if (all || flags.includes("s") || !flags) fields.push("Linux");
  if (all || flags.includes("n")) fields.push(ctx.host.hostname);
  if (all || flags.includes("r")) fields.push(k.release);
  if (all || flags.includes("v")) fields.push(k.version);
  if (all || flags.includes("m")) fields.push(k.machine);
  if (all || flags.includes("o")) fields.push("GNU/Linux");
  ctx.io.out(fields.join(" ") + "\n");
  return 0;
};

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const p2 = (n: number) => String(n).padStart(2, "0");

/** `date`'s default output, the same for GNU and busybox: "Tue Nov 25 09:19:00 UTC 2025". */
function formatDate(ms: number, fmt = "%a %b %e %H:%M:%S %Z %Y"): string {
  const d = new Date(ms);
  const map: Record<string, () => string> = {
    a: () => DAYS[d.getUTCDay()],
    b: () => MONTHS[d.getUTCMonth()],
    d: () => p2(d.getUTCDate()),
    e: () => String(d.getUTCDate()).padStart(2),
    H: () => p2(d.getUTCHours()),
    M: () => p2(d.getUTCMinutes()),
    S: () => p2(d.getUTCSeconds()),
    Y: () => String(d.getUTCFullYear()),
    m: () => p2(d.getUTCMonth() + 1),
    y: () => p2(d.getUTCFullYear() % 100),
    s: () => String(Math.floor(ms / 1000)),
    N: () => String(d.getUTCMilliseconds() * 1_000_000).padStart(9, "0"),
    Z: () => "UTC",
    z: () => "+0000",
    T: () => `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`,
    F: () => `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}`,
    "%": () => "%",
  };
  return fmt.replace(/%([a-zA-Z%])/g, (m, c: string) => (map[c] ? map[c]() : m));
}

export const date: CommandFn = (ctx) => {
  const fmtArg = ctx.argv.slice(1).find((a) => a.startsWith("+"));
  if (ctx.argv.includes("-I") || ctx.argv.includes("--iso-8601")) {
    ctx.io.out(formatDate(ctx.now, "%F") + "\n");
    return 0;
  }
  ctx.io.out(formatDate(ctx.now, fmtArg ? fmtArg.slice(1) : undefined) + "\n");
  return 0;
};

function cpuTime(p: ProcessInfo, now: number, busy: boolean): string {
  // Idle programs use next to no CPU: a second of CPU per hour of uptime reads right.
  const s = Math.floor((now - p.startedAt) / 3_600_000);
  return busy ? `${Math.floor(s / 60)}:${p2(s % 60)}` : `00:${p2(Math.floor(s / 60))}:${p2(s % 60)}`;
}

export const ps: CommandFn = (ctx) => {
  const all: ProcessInfo[] = [
    ...ctx.host.processes(ctx.now),
    ...ctx.ancestors,
    { pid: ctx.pid, argv: ctx.argv, startedAt: ctx.now, tty: ctx.tty },
  ];
  const procs = all.filter((p, i) => all.findIndex((q) => q.pid === p.pid) === i).sort((a, b) => a.pid - b.pid);
  const flags = ctx.argv.slice(1).join(" ");
  const tty = (p: ProcessInfo) => (p.tty ? "pts/0" : "?");
  const hm = (ms: number) => {
    const d = new Date(ms);
    return `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}`;
  };
  const out: string[] = [];
  if (busybox(ctx)) {
    out.push("PID   USER     TIME  COMMAND");
    for (const p of procs) out.push(`${String(p.pid).padStart(5)} root      ${cpuTime(p, ctx.now, true)} ${p.argv.join(" ")}`);
  } else if (/aux|\bau\b|-aux/.test(flags)) {
    out.push("USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND");
    for (const p of procs) {
      const stat = p.pid === ctx.pid ? "R+" : p.pid === 1 ? "Ss" : p.tty ? "Ss" : "Sl";
      out.push(
        `root     ${String(p.pid).padStart(7)}  0.0  0.1 ${String(4000 + p.pid * 97).padStart(6)} ${String(2000 + p.pid * 13).padStart(5)} ${tty(p).padEnd(8)} ${stat.padEnd(4)} ${hm(p.startedAt)}   ${cpuTime(p, ctx.now, true)} ${p.argv.join(" ")}`,
      );
    }
  } else if (/-ef|-e -f|-A/.test(flags)) {
    out.push("UID          PID    PPID  C STIME TTY          TIME CMD");
    for (const p of procs) {
      const ppid = p.pid === 1 ? 0 : procs.find((q) => q.pid < p.pid && q.tty === p.tty)?.pid ?? 0;
      out.push(`root     ${String(p.pid).padStart(7)} ${String(ppid).padStart(7)}  0 ${hm(p.startedAt)} ${tty(p).padEnd(8)} ${cpuTime(p, ctx.now, false)} ${p.argv.join(" ")}`);
    }
  } else {
    out.push("    PID TTY          TIME CMD");
    for (const p of procs) {
      const name = p.argv[0].slice(p.argv[0].lastIndexOf("/") + 1);
      out.push(`${String(p.pid).padStart(7)} ${tty(p).padEnd(8)} ${cpuTime(p, ctx.now, false)} ${name}`);
    }
  }
  ctx.io.out(out.join("\n") + "\n");
  return 0;
};

const SIGNALS: Record<string, Signal> = { "9": "SIGKILL", KILL: "SIGKILL", "15": "SIGTERM", TERM: "SIGTERM", "2": "SIGINT", INT: "SIGINT", "3": "SIGQUIT", QUIT: "SIGQUIT" };

/** kill [-SIG] PID...: signals go through the host, which knows the container's processes. */
export const kill: CommandFn = (ctx) => {
  let sig: Signal = "SIGTERM";
  const pids: string[] = [];
  const args = ctx.argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "-s") sig = SIGNALS[(args[++i] ?? "").replace(/^SIG/, "")] ?? sig;
    else if (a.startsWith("-")) sig = SIGNALS[a.slice(1).replace(/^SIG/, "")] ?? sig;
    else pids.push(a);
  }
  let status = 0;
  for (const p of pids) {
    if (!ctx.host.kill(Number(p), sig, ctx.now)) {
      ctx.io.err(noSuchProcessText(ctx.shell.flavour, `${ctx.shell.args[0] ?? "sh"}: `, p));
      status = 1;
    }
  }
  return status;
};

/**
 * uptime as procps (`up  5:44,  0 user,`) and busybox (no user count) print it. A
 * container shows its node's uptime; the model knows no boot time of the node, so it
 * counts from the container's oldest process. Nothing runs the CPU: the load is 0.
 */
export const uptime: CommandFn = (ctx) => {
  const since = Math.min(ctx.now, ...ctx.host.processes(ctx.now).map((p) => p.startedAt));
  const mins = Math.floor((ctx.now - since) / 60_000);
  const days = Math.floor(mins / 1440);
  const h = Math.floor((mins % 1440) / 60);
  const m = mins % 60;
  const clock = formatDate(ctx.now, "%H:%M:%S");
  const up = (days ? `${days} day${days === 1 ? "" : "s"}, ` : "") + (h ? `${String(h).padStart(2)}:${p2(m)}` : `${m} min`);
  const users = busybox(ctx) ? "" : "  0 user,";
  ctx.io.out(` ${clock} up ${up},${users}  load average: 0.00, 0.00, 0.00\n`);
  return 0;
};
