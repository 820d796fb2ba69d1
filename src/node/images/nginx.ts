// nginx, Debian (default) and alpine variants. ENTRYPOINT /docker-entrypoint.sh prints its
// configuration notices and execs `nginx -g "daemon off;"`, which logs its notices to
// stderr and one access-log line per request (the image's "main" format) to stdout.
// STOPSIGNAL is SIGQUIT: a graceful shutdown that exits 0.
import { normalizePath } from "../runtime/fs";
import { alpineRoot, debianRoot, DEFAULT_PATH } from "./rootfs";
import { KERNEL } from "./kernel";
import { byteLength, clfTime, httpDate, nginxLogTime, response } from "./http";
import type { HttpRequest, ImageConfig, ImageRepository, Program, ProgramContext, TimelineEntry } from "./types";

const WELCOME_HTML = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

const ERROR_50X = `<!DOCTYPE html>
<html>
<head>
<title>Error</title>
</head>
<body>
<h1>An error occurred.</h1>
<p>Sorry, the page you are looking for is currently unavailable.<br/>
Please try again later.</p>
</body>
</html>
`;

const DEFAULT_CONF = `server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
`;

const NGINX_CONF = `user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /run/nginx.pid;

events {
    worker_connections  1024;
}

http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    keepalive_timeout  65;

    include /etc/nginx/conf.d/*.conf;
}
`;

const ENTRYPOINT_SH = `#!/bin/sh
# Runs the scripts in /docker-entrypoint.d/ when the command is nginx, then execs it.
set -e

if [ "$1" = "nginx" ] || [ "$1" = "nginx-debug" ]; then
    echo "$0: Looking for shell scripts in /docker-entrypoint.d/"
    for f in /docker-entrypoint.d/*; do
        echo "$0: Launching $f"
        "$f"
    done
    echo "$0: Configuration complete; ready for start up"
fi

exec "$@"
`;

const HTML_ROOT = "/usr/share/nginx/html";

interface Variant {
  version: string;
  alpine: boolean;
}

function notice(ctx: { now: number; pid: number }, afterMs: number, msg: string, level = "notice", pid = ctx.pid): TimelineEntry {
  return { afterMs, stream: "stderr", text: `${nginxLogTime(ctx.now + afterMs)} [${level}] ${pid}#${pid}: ${msg}` };
}

const entrypoint: Program = {
  start(ctx) {
    const args = ctx.argv.slice(1);
    if (!args.length) return { kind: "exec", argv: ["nginx", "-g", "daemon off;"] };
    const quiet = !!ctx.env.NGINX_ENTRYPOINT_QUIET_LOGS;
    if ((args[0] !== "nginx" && args[0] !== "nginx-debug") || quiet) return { kind: "exec", argv: args };
    const me = ctx.argv[0];
    const lines = [
      `${me}: /docker-entrypoint.d/ is not empty, will attempt to perform configuration`,
      `${me}: Looking for shell scripts in /docker-entrypoint.d/`,
      `${me}: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh`,
      "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
      "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
      `${me}: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh`,
      `${me}: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh`,
      `${me}: Launching /docker-entrypoint.d/30-tune-worker-processes.sh`,
      `${me}: Configuration complete; ready for start up`,
    ];
    return { kind: "exec", argv: args, output: lines.map((text) => ({ afterMs: 0, text })) };
  },
};

function nginxProgram(v: Variant): Program {
  const builtBy = v.alpine ? "built by gcc 14.2.0 (Alpine 14.2.0)" : "built by gcc 12.2.0 (Debian 12.2.0-14) ";
  return {
    // A master and two workers at rest; a small static file is about a millisecond of CPU.
    usage: { idleMillicores: 1, memoryBytes: (v.alpine ? 3 : 5) * 1024 * 1024, cpuMsPerRequest: 1 },
    start(ctx) {
      const args = ctx.argv.slice(1);
      if (args.includes("-v") || args.includes("-V")) {
        return { kind: "run", timeline: [{ afterMs: 0, stream: "stderr", text: `nginx version: nginx/${v.version}` }, { afterMs: 0, exit: 0 }] };
      }
      if (args.includes("-t") || args.includes("-T")) {
        return {
          kind: "run",
          timeline: [
            { afterMs: 0, stream: "stderr", text: "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful" },
            { afterMs: 0, exit: 0 },
          ],
        };
      }
      const g = args[args.indexOf("-g") + 1] ?? "";
      const foreground = args.includes("-g") && /daemon\s+off\s*;/.test(g);
      const workers = [ctx.pid + 28, ctx.pid + 29];
      const startup = [
        notice(ctx, 0, 'using the "epoll" event method'),
        notice(ctx, 0, `nginx/${v.version}`),
        notice(ctx, 0, builtBy),
        notice(ctx, 0, `OS: Linux ${KERNEL.release}`),
        notice(ctx, 0, "getrlimit(RLIMIT_NOFILE): 1048576:1048576"),
        notice(ctx, 1, "start worker processes"),
        ...workers.map((w) => notice(ctx, 1, `start worker process ${w}`)),
      ];
      // Without `daemon off;` nginx forks into the background and the container's
      // process is done: the classic "my nginx container keeps completing".
      if (!foreground) return { kind: "run", timeline: [{ afterMs: 5, exit: 0 }] };
      return {
        kind: "run",
        listen: [80],
        timeline: startup,
        state: { workers, requests: 0 },
        bindFailure: (port) => {
          const out: TimelineEntry[] = [];
          for (let i = 0; i < 5; i++) {
            for (const addr of [`0.0.0.0:${port}`, `[::]:${port}`]) {
              const msg = `bind() to ${addr} failed (98: Address already in use)`;
              out.push(notice(ctx, i * 500, msg, "emerg"));
              out.push({ afterMs: i * 500, stream: "stderr", text: `nginx: [emerg] ${msg}` });
            }
          }
          out.push(notice(ctx, 2500, "still could not bind()", "emerg"));
          out.push({ afterMs: 2500, stream: "stderr", text: "nginx: [emerg] still could not bind()" });
          out.push({ afterMs: 2500, exit: 1 });
          return out;
        },
      };
    },
    http(req, ctx) {
      const st = (ctx.state ?? { workers: [ctx.pid + 28], requests: 0 }) as { workers: number[]; requests: number };
      const worker = st.workers[st.requests % st.workers.length];
      const next = { ...st, requests: st.requests + 1 };
      const served = serve(req, ctx, v);
      const access = `${req.remoteAddr} - - [${clfTime(ctx.now)}] "${req.method} ${req.path} HTTP/1.1" ${served.status} ${req.method === "HEAD" ? 0 : byteLength(served.body)} "${req.headers.Referer ?? req.headers.referer ?? "-"}" "${req.headers["User-Agent"] ?? req.headers["user-agent"] ?? "-"}" "${req.headers["X-Forwarded-For"] ?? "-"}"`;
      const log: TimelineEntry[] = [];
      if (served.error) {
        log.push({
          afterMs: 0,
          stream: "stderr",
          text: `${nginxLogTime(ctx.now)} [error] ${worker}#${worker}: *${next.requests} ${served.error}, client: ${req.remoteAddr}, server: localhost, request: "${req.method} ${req.path} HTTP/1.1", host: "${req.headers.Host ?? req.headers.host ?? "localhost"}"`,
        });
      }
      log.push({ afterMs: 0, text: access });
      const headers: [string, string][] = [
        ["Server", `nginx/${v.version}`],
        ["Date", httpDate(ctx.now)],
        ["Content-Type", "text/html"],
        ["Content-Length", String(byteLength(served.body))],
        ...(served.status === 200 ? ([["Last-Modified", httpDate(ctx.startedAt)], ["Connection", "keep-alive"], ["ETag", `"${ctx.startedAt.toString(16).slice(-8)}-${byteLength(served.body).toString(16)}"`], ["Accept-Ranges", "bytes"]] as [string, string][]) : ([["Connection", "keep-alive"]] as [string, string][])),
      ];
      return { response: response(served.status, headers, req.method === "HEAD" ? "" : served.body), log, state: next };
    },
    signal(sig, ctx) {
      const st = (ctx.state ?? { workers: [] }) as { workers: number[] };
      const pid = ctx.pid;
      if (sig === "SIGQUIT") {
        return [
          notice(ctx, 0, `signal 3 (SIGQUIT) received from ${pid === 1 ? 0 : 1}, shutting down`),
          ...st.workers.flatMap((w) => [notice(ctx, 1, "gracefully shutting down", "notice", w), notice(ctx, 1, "exiting", "notice", w), notice(ctx, 2, "exit", "notice", w)]),
          ...st.workers.flatMap((w) => [notice(ctx, 3, `signal 17 (SIGCHLD) received from ${w}`), notice(ctx, 3, `worker process ${w} exited with code 0`)]),
          notice(ctx, 4, "exit"),
          { afterMs: 4, exit: 0 },
        ];
      }
      const n = sig === "SIGINT" ? 2 : 15;
      return [
        notice(ctx, 0, `signal ${n} (${sig}) received from ${pid === 1 ? 0 : 1}, exiting`),
        ...st.workers.map((w) => notice(ctx, 1, "exiting", "notice", w)),
        ...st.workers.flatMap((w) => [notice(ctx, 2, `signal 17 (SIGCHLD) received from ${w}`), notice(ctx, 2, `worker process ${w} exited with code 0`)]),
        notice(ctx, 3, "exit"),
        { afterMs: 3, exit: 0 },
      ];
    },
  };
}

function errorPage(status: number, text: string, version: string): string {
  return `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx/${version}</center>\r\n</body>\r\n</html>\r\n`;
}

/** The default server: static files under /usr/share/nginx/html, index.html for directories. */
function serve(req: HttpRequest, ctx: ProgramContext, v: Variant): { status: number; body: string; error?: string } {
  if (req.method === "RESP") return { status: 400, body: errorPage(400, "Bad Request", v.version) };
  if (req.method !== "GET" && req.method !== "HEAD") return { status: 405, body: errorPage(405, "Not Allowed", v.version) };
  const urlPath = decodeURIComponent(req.path.split("?")[0] || "/");
  const path = normalizePath(HTML_ROOT + urlPath);
  const e = ctx.fs.stat(path);
  if (e?.k === "d") {
    const index = ctx.fs.stat(path + "/index.html");
    if (index?.k === "f") return { status: 200, body: ctx.fs.read(path + "/index.html") ?? "" };
    return { status: 403, body: errorPage(403, "Forbidden", v.version), error: `directory index of "${path}/" is forbidden` };
  }
  if (e?.k === "f") return { status: 200, body: ctx.fs.read(path) ?? "" };
  return { status: 404, body: errorPage(404, "Not Found", v.version), error: `open() "${path}" failed (2: No such file or directory)` };
}

const TAGS: Record<string, Variant> = {};
for (const [version, aliases] of [
  ["1.29.3", ["latest", "mainline", "1", "1.29", "1.29.3"]],
  ["1.28.0", ["stable", "1.28", "1.28.0"]],
  ["1.27.5", ["1.27", "1.27.5"]],
  ["1.27.4", ["1.27.4"]],
  ["1.26.3", ["1.26", "1.26.3"]],
  ["1.25.5", ["1.25", "1.25.5"]],
] as const) {
  for (const a of aliases) {
    TAGS[a] = { version, alpine: false };
    TAGS[a === "latest" ? "alpine" : `${a}-alpine`] = { version, alpine: true };
  }
}

function nginxImage(v: Variant): ImageConfig {
  const files = {
    "/etc/nginx/nginx.conf": NGINX_CONF,
    "/etc/nginx/conf.d/default.conf": DEFAULT_CONF,
    "/etc/nginx/mime.types": "types {\n    text/html                                        html htm shtml;\n    text/css                                         css;\n    application/javascript                           js;\n}\n",
    [`${HTML_ROOT}/index.html`]: WELCOME_HTML,
    [`${HTML_ROOT}/50x.html`]: ERROR_50X,
    "/docker-entrypoint.d/15-local-resolvers.envsh": "#!/bin/sh\n",
  };
  const dirs = ["/etc/nginx", "/etc/nginx/conf.d", "/usr/share/nginx", HTML_ROOT, "/var/cache/nginx", "/var/log/nginx", "/docker-entrypoint.d"];
  const root = v.alpine
    ? alpineRoot("3.21.3", { "/usr/bin": ["curl"], "/usr/sbin": ["nginx", "nginx-debug=nginx"] }, files, dirs)
    : debianRoot({ version: "12.11", codename: "bookworm", major: "12" }, { "/usr/bin": ["curl"], "/usr/sbin": ["nginx", "nginx-debug=nginx"] }, files, dirs);
  root["/docker-entrypoint.sh"] = { k: "x", cmd: "docker-entrypoint", data: ENTRYPOINT_SH };
  for (const s of ["10-listen-on-ipv6-by-default.sh", "20-envsubst-on-templates.sh", "30-tune-worker-processes.sh"]) {
    root[`/docker-entrypoint.d/${s}`] = { k: "x", cmd: "true", data: "#!/bin/sh\n" };
  }
  root["/etc/passwd"] = { k: "f", data: ((root["/etc/passwd"] as { data: string }).data ?? "") + "nginx:x:101:101:nginx user:/nonexistent:/bin/false\n" };
  return {
    canonical: `docker.io/library/nginx:${v.version}${v.alpine ? "-alpine" : ""}`,
    sizeBytes: v.alpine ? 20_991_826 : 72_195_292,
    entrypoint: ["/docker-entrypoint.sh"],
    cmd: ["nginx", "-g", "daemon off;"],
    workingDir: "/",
    env: [
      ["PATH", DEFAULT_PATH],
      ["NGINX_VERSION", v.version],
      ["NJS_VERSION", "0.9.0"],
      ["NJS_RELEASE", v.alpine ? "1" : "1~bookworm"],
      ["PKG_RELEASE", v.alpine ? "1" : "1~bookworm"],
      ["DYNPKG_RELEASE", v.alpine ? "1" : "1~bookworm"],
    ],
    stopSignal: "SIGQUIT",
    userland: v.alpine ? "busybox" : "gnu",
    files: root,
    programs: { "docker-entrypoint": entrypoint, nginx: nginxProgram(v) },
    osName: v.alpine ? "Alpine Linux v3.21" : "Debian GNU/Linux 12 (bookworm)",
  };
}

export const nginx: ImageRepository = {
  repository: "docker.io/library/nginx",
  tags: Object.keys(TAGS),
  image: (tag) => nginxImage(TAGS[tag]),
};
