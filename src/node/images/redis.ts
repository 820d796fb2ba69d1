// redis (Debian and alpine). The entrypoint execs redis-server, which listens on 6379,
// logs its startup banner lines and runs until SIGTERM, when it saves and exits 0.
// Commands arrive through the same port call as HTTP: `redis-cli` sends method "RESP"
// with the command as a JSON array; the answer carries statusText "RESP". An HTTP client
// gets no HTTP back and the server logs its "Possible SECURITY ATTACK" warning.
import { alpineRoot, debianRoot, DEFAULT_PATH } from "./rootfs";
import { redisLogTime } from "./http";
import type { ImageConfig, ImageRepository, JsonValue, Program, ProgramContext, TimelineEntry } from "./types";

interface Variant {
  version: string;
  alpine: boolean;
}

interface RedisState {
  kv: Record<string, string>;
  port: number;
}

const DUMP = "/data/dump.rdb";

function line(ctx: { now: number; pid: number }, afterMs: number, role: "C" | "M", level: "*" | "#", msg: string): TimelineEntry {
  return { afterMs, text: `${ctx.pid}:${role} ${redisLogTime(ctx.now + afterMs)} ${level} ${msg}` };
}

const entrypoint: Program = {
  start(ctx) {
    const args = ctx.argv.slice(1);
    // As the real script: a first argument that is an option means "redis-server <options>".
    if (!args.length || args[0].startsWith("-") || args[0].endsWith(".conf")) return { kind: "exec", argv: ["redis-server", ...args] };
    return { kind: "exec", argv: args };
  },
};

function loadKv(ctx: ProgramContext): Record<string, string> | undefined {
  try {
    const raw = ctx.fs.read(DUMP);
    return raw ? (JSON.parse(raw) as Record<string, string>) : undefined;
  } catch {
    return undefined;
  }
}

function server(v: Variant): Program {
  return {
    // redis-server's cron ticks at rest; a command is a fraction of a millisecond.
    usage: { idleMillicores: 2, memoryBytes: 3 * 1024 * 1024, cpuMsPerRequest: 0.5 },
    start(ctx) {
      const args = ctx.argv.slice(1);
      if (args.includes("--version") || args.includes("-v")) {
        return { kind: "run", timeline: [{ afterMs: 0, text: `Redis server v=${v.version} sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=1e7a4b8d5b2a9b3c` }, { afterMs: 0, exit: 0 }] };
      }
      const pi = args.indexOf("--port");
      const port = pi >= 0 ? Number(args[pi + 1]) : 6379;
      const saved = loadKv(ctx);
      const timeline: TimelineEntry[] = [
        line(ctx, 0, "C", "#", "WARNING Memory overcommit must be enabled! Without it, a background save or replication may fail under low memory condition. Being disabled, it can also cause failures without low memory condition, see https://github.com/jemalloc/jemalloc/issues/1328. To fix this issue add 'vm.overcommit_memory = 1' to /etc/sysctl.conf and then reboot or run the command 'sysctl vm.overcommit_memory=1' for this to take effect."),
        line(ctx, 0, "C", "*", "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo"),
        line(ctx, 0, "C", "*", `Redis version=${v.version}, bits=64, commit=00000000, modified=0, pid=${ctx.pid}, just started`),
        line(ctx, 0, "C", "#", "Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf"),
        line(ctx, 1, "M", "*", "monotonic clock: POSIX clock_gettime"),
        line(ctx, 1, "M", "*", `Running mode=standalone, port=${port}.`),
        line(ctx, 2, "M", "*", "Server initialized"),
        ...(saved ? [line(ctx, 2, "M", "*", "Loading RDB produced by version " + v.version), line(ctx, 2, "M", "*", "DB loaded from disk: 0.000 seconds")] : []),
        line(ctx, 2, "M", "*", "Ready to accept connections tcp"),
      ];
      const state: RedisState = { kv: saved ?? {}, port };
      return {
        kind: "run",
        listen: [port],
        timeline,
        state: state as unknown as JsonValue,
        bindFailure: (p) => [
          ...timeline.slice(0, 6),
          line(ctx, 2, "M", "#", `Warning: Could not create server TCP listening socket *:${p}: bind: Address already in use`),
          line(ctx, 2, "M", "#", `Failed listening on port ${p} (tcp), aborting.`),
          { afterMs: 2, exit: 1 },
        ],
      };
    },
    http(req, ctx) {
      const st = ctx.state as unknown as RedisState;
      if (req.method !== "RESP") {
        return {
          response: "not-http",
          log: [line(ctx, 0, "M", "#", `Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands to Redis. This is likely due to an attacker attempting to use Cross Protocol Scripting to compromise your Redis instance. Connection from ${req.remoteAddr}:${40000 + (ctx.now % 20000)} aborted.`)],
        };
      }
      const [cmd = "", ...args] = JSON.parse(req.body ?? "[]") as string[];
      const kv = { ...st.kv };
      let reply: string;
      switch (cmd.toUpperCase()) {
        case "PING":
          reply = args[0] ?? "PONG";
          break;
        case "SET":
          kv[args[0]] = args[1] ?? "";
          reply = "OK";
          break;
        case "GET":
          reply = args[0] in kv ? kv[args[0]] : "";
          break;
        case "INCR": {
          const n = Number.parseInt(kv[args[0]] ?? "0", 10) + 1;
          kv[args[0]] = String(n);
          reply = `(integer) ${n}`;
          break;
        }
        case "DEL":
          reply = `(integer) ${args.filter((k) => k in kv && delete kv[k]).length}`;
          break;
        case "DBSIZE":
          reply = `(integer) ${Object.keys(kv).length}`;
          break;
        case "KEYS":
          reply = Object.keys(kv).join("\n") || "(empty array)";
          break;
        default:
          reply = `(error) ERR unknown command '${cmd}', with args beginning with: ${args.map((a) => `'${a}' `).join("")}`;
      }
      return { response: { status: 200, statusText: "RESP", headers: [], body: reply }, state: { ...st, kv } as unknown as JsonValue };
    },
    signal(sig, ctx) {
      if (sig === "SIGKILL") return undefined;
      const st = ctx.state as unknown as RedisState | undefined;
      const out: TimelineEntry[] = [
        { afterMs: 0, text: `${ctx.pid}:signal-handler (${Math.floor(ctx.now / 1000)}) Received ${sig} scheduling shutdown...` },
        line(ctx, 100, "M", "*", "User requested shutdown..."),
        line(ctx, 100, "M", "*", "Saving the final RDB snapshot before exiting."),
      ];
      try {
        // redis persists to /data: with a volume mounted there, the data survives a restart.
        ctx.fs.write(DUMP, JSON.stringify(st?.kv ?? {}), false, ctx.now);
        out.push(line(ctx, 101, "M", "*", "DB saved on disk"));
      } catch {
        out.push(line(ctx, 101, "M", "#", "Failed opening the temp RDB file temp-1.rdb (in server root dir /data) for saving: Permission denied"));
      }
      out.push(line(ctx, 101, "M", "#", "Redis is now ready to exit, bye bye..."), { afterMs: 101, exit: 0 });
      return out;
    },
  };
}

const TAGS: Record<string, Variant> = {};
for (const [version, aliases] of [
  ["8.2.3", ["latest", "8", "8.2", "8.2.3"]],
  ["7.4.6", ["7", "7.4", "7.4.6"]],
  ["7.2.11", ["7.2", "7.2.11"]],
  ["6.2.20", ["6", "6.2", "6.2.20"]],
] as const) {
  for (const a of aliases) {
    TAGS[a] = { version, alpine: false };
    TAGS[a === "latest" ? "alpine" : `${a}-alpine`] = { version, alpine: true };
  }
}

function redisImage(v: Variant): ImageConfig {
  const bins = { "/usr/local/bin": ["redis-server", "redis-cli", "docker-entrypoint.sh=redis-entrypoint"] };
  const root = v.alpine
    ? alpineRoot("3.22.2", bins, {}, ["/data"])
    : debianRoot({ version: "12.11", codename: "bookworm", major: "12" }, bins, {}, ["/data"]);
  return {
    canonical: `docker.io/library/redis:${v.version}${v.alpine ? "-alpine" : ""}`,
    sizeBytes: v.alpine ? 25_116_021 : 47_271_004,
    entrypoint: ["docker-entrypoint.sh"],
    cmd: ["redis-server"],
    workingDir: "/data",
    env: [
      ["PATH", DEFAULT_PATH],
      ["REDIS_DOWNLOAD_URL", `http://download.redis.io/releases/redis-${v.version}.tar.gz`],
    ],
    stopSignal: "SIGTERM",
    userland: v.alpine ? "busybox" : "gnu",
    files: root,
    programs: { "redis-entrypoint": entrypoint, "redis-server": server(v) },
    osName: v.alpine ? "Alpine Linux v3.22" : "Debian GNU/Linux 12 (bookworm)",
  };
}

export const redis: ImageRepository = {
  repository: "docker.io/library/redis",
  tags: Object.keys(TAGS),
  image: (tag) => redisImage(TAGS[tag]),
};
