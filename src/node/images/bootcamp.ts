// gcr.io/google-samples/kubernetes-bootcamp:v1 and docker.io/jocatalin/kubernetes-bootcamp:v2,
// the tutorial's app: a node.js 6 server on a Debian jessie base (FROM node:6.3.1),
// CMD `node server.js` in shell form, so PID 1 is `/bin/sh -c node server.js`. It ignores
// SIGTERM (no handler), so deleting its pod takes the whole grace period, as it does for real.
import { normalizePath } from "../runtime/fs";
import { debianRoot, DEFAULT_PATH } from "./rootfs";
import { httpDate, response } from "./http";
import type { ImageConfig, ImageRepository, JsonValue, Program, ProgramContext, TimelineEntry } from "./types";

const NODE_VERSION = "6.3.1";

/** The app's source, shown by `cat server.js`; the program below behaves as it reads. */
function serverJs(version: string): string {
  return `var http = require('http');
var requests = 0;
var podname = process.env.HOSTNAME;
var startTime;
var host;

// Every request gets the same answer: which pod served it and which version it runs.
var handleRequest = function(request, response) {
  response.setHeader('Content-Type', 'text/plain');
  response.writeHead(200);
  response.write("Hello Kubernetes bootcamp! | Running on: ");
  response.write(host);
  response.end(" | ${version}\\n");
  console.log("Running On:", host, "| Total Requests:", ++requests, "| App Uptime:", (new Date() - startTime) / 1000, "seconds", "| Log Time:", new Date());
};

var www = http.createServer(handleRequest);
www.listen(8080, function () {
  startTime = new Date();
  host = process.env.HOSTNAME;
  console.log("Kubernetes Bootcamp App Started At:", startTime, "| Running On: ", host, "\\n");
});
`;
}

function moduleNotFound(path: string): TimelineEntry[] {
  return [
    {
      afterMs: 40,
      stream: "stderr",
      text: `module.js:442
    throw err;
    ^

Error: Cannot find module '${path}'
    at Function.Module._resolveFilename (module.js:440:15)
    at Function.Module._load (module.js:388:25)
    at Module.runMain (module.js:575:10)
    at run (bootstrap_node.js:352:7)
    at startup (bootstrap_node.js:144:9)
    at bootstrap_node.js:467:3`,
    },
    { afterMs: 40, exit: 1 },
  ];
}

function addrInUse(port: number, script: string): TimelineEntry[] {
  return [
    {
      afterMs: 60,
      stream: "stderr",
      text: `events.js:160
      throw er; // Unhandled 'error' event
      ^

Error: listen EADDRINUSE :::${port}
    at Object.exports._errnoException (util.js:1026:11)
    at exports._exceptionWithHostPort (util.js:1049:20)
    at Server._listen2 (net.js:1253:14)
    at listen (net.js:1289:10)
    at Server.listen (net.js:1385:5)
    at Object.<anonymous> (${script}:23:5)
    at Module._compile (module.js:541:32)
    at Object.Module._extensions..js (module.js:550:10)
    at Module.load (module.js:458:32)
    at tryModuleLoad (module.js:417:12)`,
    },
    { afterMs: 60, exit: 1 },
  ];
}

interface BootcampState {
  requests: number;
  host: string;
  startTime: number;
}

function nodeProgram(version: string): Program {
  return {
    // A Node.js process at rest holds ~20 MiB; each request runs some JavaScript.
    usage: { idleMillicores: 2, memoryBytes: 20 * 1024 * 1024, cpuMsPerRequest: 4 },
    start(ctx: ProgramContext) {
      const arg = ctx.argv[1];
      if (arg === undefined) return { kind: "run", timeline: [{ afterMs: 0, exit: 0 }] }; // REPL on a closed stdin
      if (arg === "-v" || arg === "--version") return { kind: "run", timeline: [{ afterMs: 0, text: `v${NODE_VERSION}` }, { afterMs: 0, exit: 0 }] };
      if (arg === "-e" || arg === "-p") return { kind: "run", timeline: [{ afterMs: 30, exit: 0 }] };
      const script = normalizePath(arg.endsWith(".js") ? arg : `${arg}`, ctx.cwd);
      const resolved = ctx.fs.stat(script)?.k === "f" ? script : ctx.fs.stat(script + ".js")?.k === "f" ? script + ".js" : undefined;
      if (!resolved) return { kind: "run", timeline: moduleNotFound(script) };
      const source = ctx.fs.read(resolved) ?? "";
      // Any other script runs and ends: this model does not interpret JavaScript.
      if (!source.includes("Hello Kubernetes bootcamp!")) return { kind: "run", timeline: [{ afterMs: 50, exit: 0 }] };
      const host = ctx.env.HOSTNAME ?? "";
      const state: BootcampState = { requests: 0, host, startTime: ctx.now };
      return {
        kind: "run",
        listen: [8080],
        // console.log joins its arguments with spaces: "Running On: " + " " + host + " " + "\n".
        timeline: [{ afterMs: 0, text: `Kubernetes Bootcamp App Started At: ${new Date(ctx.now).toISOString()} | Running On:  ${host} \n` }],
        bindFailure: (port) => addrInUse(port, resolved),
        state: state as unknown as JsonValue,
      };
    },
    http(req, ctx) {
      const st = { ...(ctx.state as unknown as BootcampState) };
      if (req.method === "RESP") return { response: "not-http" };
      st.requests += 1;
      const body = `Hello Kubernetes bootcamp! | Running on: ${st.host} | ${version}\n`;
      const uptime = (ctx.now - st.startTime) / 1000;
      return {
        response: response(
          200,
          [
            ["Content-Type", "text/plain"],
            ["Date", httpDate(ctx.now)],
            ["Connection", "keep-alive"],
            ["Transfer-Encoding", "chunked"],
          ],
          req.method === "HEAD" ? "" : body,
        ),
        log: [{ afterMs: 0, text: `Running On: ${st.host} | Total Requests: ${st.requests} | App Uptime: ${uptime} seconds | Log Time: ${new Date(ctx.now).toISOString()}` }],
        state: st as unknown as JsonValue,
      };
    },
    // No signal handler: as PID 1 the signal is ignored, as a child node dies of it.
  };
}

const npmProgram: Program = {
  start: (ctx) => ({
    kind: "run",
    timeline: ctx.argv[1] === "-v" || ctx.argv[1] === "--version" ? [{ afterMs: 0, text: "3.10.3" }, { afterMs: 0, exit: 0 }] : [{ afterMs: 200, stream: "stderr", text: "npm ERR! install Couldn't read dependencies" }, { afterMs: 200, exit: 1 }],
  }),
};

function bootcampImage(canonical: string, version: string, digest: string | undefined, sizeBytes: number): ImageConfig {
  const files = debianRoot(
    { version: "8.5", codename: "jessie", major: "8" },
    { "/bin": ["ps"], "/usr/bin": ["curl", "wget", "uptime"], "/usr/local/bin": ["node", "npm"] },
    { "/server.js": serverJs(version) },
    ["/usr/local/lib/node_modules", "/usr/local/include", "/usr/local/share"],
  );
  return {
    canonical,
    digest,
    sizeBytes,
    entrypoint: [],
    cmd: ["/bin/sh", "-c", "node server.js"],
    workingDir: "/",
    env: [
      ["PATH", DEFAULT_PATH],
      ["NPM_CONFIG_LOGLEVEL", "info"],
      ["NODE_VERSION", NODE_VERSION],
    ],
    stopSignal: "SIGTERM",
    userland: "gnu",
    files,
    programs: { node: nodeProgram(version), npm: npmProgram },
    osName: "Debian GNU/Linux 8 (jessie)",
  };
}

export const bootcampV1: ImageRepository = {
  repository: "gcr.io/google-samples/kubernetes-bootcamp",
  tags: ["v1"],
  image: () =>
    bootcampImage(
      "gcr.io/google-samples/kubernetes-bootcamp:v1",
      "v=1",
      "sha256:0d6b8ee63bb57c5f5b6156f446b3bc3b3c143d233037f3a2f00e279c8fcc64af",
      211_336_459,
    ),
};

export const bootcampV2: ImageRepository = {
  repository: "docker.io/jocatalin/kubernetes-bootcamp",
  tags: ["v1", "v2"],
  image: (tag) => bootcampImage(`docker.io/jocatalin/kubernetes-bootcamp:${tag}`, tag === "v2" ? "v=2" : "v=1", undefined, 211_342_117),
};
