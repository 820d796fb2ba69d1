// curl, wget and redis-cli: clients that reach ports through the host, which routes
// localhost, 127.0.0.1, the pod IP and the hostname to the pod's own network namespace
// (so a sidecar reaches the app container) and anything else to the cluster network.
import { normalizePath } from "../../runtime/fs";
import { byteLength } from "../../../util/byte-text";
import type { HttpOutcome, HttpRequest, HttpResponse } from "../../images/types";
import type { ServerTls } from "../../runtime/cri";
import type { CommandContext, CommandFn } from "./types";

interface Url {
  scheme: string;
  host: string;
  port: number;
  path: string;
}

function parseUrl(raw: string): Url | undefined {
  const m = /^(?:([a-z]+):\/\/)?(\[[^\]]+\]|[^/:?#]+)(?::(\d+))?([^#]*)/i.exec(raw);
  if (!m) return undefined;
  const scheme = (m[1] ?? "http").toLowerCase();
  const port = m[3] ? Number(m[3]) : scheme === "https" ? 443 : 80;
  return { scheme, host: m[2].replace(/^\[|\]$/g, ""), port, path: m[4] || "/" };
}

function hostHeader(u: Url): string {
  return u.port === (u.scheme === "https" ? 443 : 80) ? u.host : `${u.host}:${u.port}`;
}

function resolvedIp(ctx: CommandContext, host: string): string {
  if (host === "localhost" || host === ctx.host.hostname) return host === "localhost" ? "127.0.0.1" : ctx.host.podIP;
  return host;
}

function statusLine(r: HttpResponse): string {
  return `HTTP/1.1 ${r.status} ${r.statusText}`;
}

function headerBlock(r: HttpResponse): string {
  return [statusLine(r), ...r.headers.map(([k, v]) => `${k}: ${v}`)].join("\r\n") + "\r\n\r\n";
}

const METER_HEAD =
  "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n" +
  "                                 Dload  Upload   Total   Spent    Left  Speed\n";

function meterLine(bytes: number): string {
  const n = String(bytes).padStart(5);
  const speed = String(bytes * 50).padStart(6);
  return bytes
    ? `100 ${n}  100 ${n}    0     0 ${speed}      0 --:--:-- --:--:-- --:--:-- ${speed}\n`
    : "  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0\n";
}

export const curl: CommandFn = async (ctx) => {
  const args = ctx.argv.slice(1);
  let silent = false;
  let showError = false;
  let include = false;
  let headOnly = false;
  let fail = false;
  let verbose = false;
  let method: string | undefined;
  let data: string | undefined;
  let output: string | undefined;
  let writeOut: string | undefined;
  let insecure = false;
  let cacert: string | undefined;
  const headers: [string, string][] = [];
  const urls: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const next = () => args[++i] ?? "";
    if (a.startsWith("--")) {
      switch (a) {
        case "--silent":
          silent = true;
          break;
        case "--show-error":
          showError = true;
          break;
        case "--include":
          include = true;
          break;
        case "--head":
          headOnly = true;
          break;
        case "--fail":
          fail = true;
          break;
        case "--verbose":
          verbose = true;
          break;
        case "--request":
          method = next();
          break;
        case "--header":
          headers.push(splitHeader(next()));
          break;
        case "--data":
        case "--data-raw":
        case "--data-binary":
          data = next();
          break;
        case "--output":
          output = next();
          break;
        case "--write-out":
          writeOut = next();
          break;
        case "--insecure":
          insecure = true;
          break;
        case "--cacert":
          cacert = next();
          break;
        case "--max-time":
        case "--connect-timeout":
        case "--retry":
          next();
          break;
        default:
          break; // --location, --insecure, --compressed...: nothing to do here
      }
      continue;
    }
    if (a.startsWith("-") && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const f = a[j];
        const rest = a.slice(j + 1);
        const value = () => {
          const v = rest || next();
          j = a.length;
          return v;
        };
        if (f === "s") silent = true;
        else if (f === "S") showError = true;
        else if (f === "i") include = true;
        else if (f === "I") headOnly = true;
        else if (f === "f") fail = true;
        else if (f === "v") verbose = true;
        else if (f === "k") insecure = true;
        else if (f === "X") method = value();
        else if (f === "H") headers.push(splitHeader(value()));
        else if (f === "d") data = value();
        else if (f === "o") output = value();
        else if (f === "w") writeOut = value();
        else if (f === "m") value();
      }
      continue;
    }
    urls.push(a);
  }
  const errors = !silent || showError;
  if (!urls.length) {
    ctx.io.err("curl: try 'curl --help' or 'curl --manual' for more information\n");
    return 2;
  }
  let status = 0;
  for (const raw of urls) {
    const u = parseUrl(raw);
    if (!u || !["http", "https"].includes(u.scheme)) {
      if (errors) ctx.io.err(`curl: (1) Protocol "${u?.scheme ?? raw}" not supported\n`);
      status = 1;
      continue;
    }
    const req: HttpRequest = {
      method: method ?? (headOnly ? "HEAD" : data !== undefined ? "POST" : "GET"),
      path: u.path,
      headers: Object.fromEntries([["Host", hostHeader(u)], ["User-Agent", "curl/7.88.1"], ["Accept", "*/*"], ...headers]),
      body: data,
      remoteAddr: u.host === "localhost" || u.host.startsWith("127.") ? "127.0.0.1" : ctx.host.podIP,
    };
    const meter = !silent && (!ctx.tty || output !== undefined);
    if (meter) ctx.io.err(METER_HEAD);
    if (verbose) ctx.io.err(`*   Trying ${resolvedIp(ctx, u.host)}:${u.port}...\n`);
    const outcome: HttpOutcome = await ctx.host.http(u.host, u.port, req, ctx.now);
    const failWith = (code: number, msg: string) => {
      if (meter) ctx.io.err(meterLine(0));
      if (errors) ctx.io.err(`curl: (${code}) ${msg}\n`);
      status = code;
    };
    if (outcome.kind === "refused" || outcome.kind === "unreachable") {
      failWith(7, `Failed to connect to ${u.host} port ${u.port} after 0 ms: Couldn't connect to server`);
      continue;
    }
    if (outcome.kind === "unresolved") {
      failWith(6, `Could not resolve host: ${u.host}`);
      continue;
    }
    if (outcome.kind === "not-http") {
      failWith(1, "Received HTTP/0.9 when not allowed");
      continue;
    }
    if (u.scheme === "https" && !outcome.tls) {
      failWith(35, "OpenSSL/3.0.15: error:0A00010B:SSL routines::wrong version number");
      continue;
    }
    let r = outcome.response;
    if (u.scheme === "https" && outcome.tls && !insecure) {
      const problem = tlsProblem(ctx, outcome.tls, u.host, cacert);
      if (problem) {
        failWith(problem.code, problem.message);
        if (errors && problem.code === 60) ctx.io.err(CERT_HELP);
        continue;
      }
    }
    // Plain HTTP to a TLS port: Go's server answers it so.
    if (u.scheme === "http" && outcome.tls) r = { status: 400, statusText: "Bad Request", headers: [["Content-Type", "text/plain; charset=utf-8"], ["Connection", "close"]], body: "Client sent an HTTP request to an HTTPS server.\n" };
    if (verbose) {
      ctx.io.err(`* Connected to ${u.host} (${resolvedIp(ctx, u.host)}) port ${u.port}\n`);
      ctx.io.err(`> ${req.method} ${req.path} HTTP/1.1\n` + Object.entries(req.headers).map(([k, v]) => `> ${k}: ${v}\n`).join("") + ">\n");
      ctx.io.err(`< ${statusLine(r)}\n` + r.headers.map(([k, v]) => `< ${k}: ${v}\n`).join("") + "<\n");
    }
    if (fail && r.status >= 400) {
      failWith(22, `The requested URL returned error: ${r.status}`);
      continue;
    }
    const body = headOnly ? headerBlock(r) : (include ? headerBlock(r) : "") + r.body;
    if (meter) ctx.io.err(meterLine(byteLength(r.body)));
    // -o /dev/null discards the body, as the device would.
    const discard = output === "/dev/null";
    if (output !== undefined && output !== "-" && !discard) {
      try {
        ctx.host.fs.write(normalizePath(output, ctx.shell.cwd), body, false, ctx.now);
      } catch {
        if (errors) ctx.io.err(`curl: (23) Failure writing output to destination\n`);
        status = 23;
      }
    } else if (!discard) ctx.io.out(body);
    // -w goes to stdout whatever -o says.
    if (writeOut !== undefined) ctx.io.out(writeOut.replace(/%\{http_code\}/g, String(r.status)).replace(/%\{response_code\}/g, String(r.status)).replace(/\\n/g, "\n"));
  }
  return status;
};

const CERT_HELP =
  "More details here: https://curl.se/docs/sslcerts.html\n\n" +
  "curl failed to verify the legitimacy of the server and therefore could not\n" +
  "establish a secure connection to it. To learn more about this situation and\n" +
  "how to fix it, please visit the web page mentioned above.\n";

/** The PEM blocks of a bundle, whitespace-insensitive, for comparing certificates. */
function pemBlocks(text: string): string[] {
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => m[1].replace(/\s+/g, ""));
}

/**
 * What stops curl trusting a TLS server: a --cacert file it cannot read, a chain that
 * leads to no CA it trusts (the system bundle holds no cluster CA), a certificate not
 * made for the name asked. The TLS itself is not modelled, only these checks.
 */
function tlsProblem(ctx: CommandContext, tls: ServerTls, host: string, cacert: string | undefined): { code: number; message: string } | undefined {
  let trusted: string[] = [];
  if (cacert !== undefined) {
    const path = normalizePath(cacert, ctx.shell.cwd);
    let text: string | undefined;
    try {
      text = ctx.host.fs.read(path);
    } catch {
      text = undefined;
    }
    if (text === undefined) return { code: 77, message: `error setting certificate file: ${cacert}` };
    trusted = pemBlocks(text);
  }
  const ca = pemBlocks(tls.caPem)[0];
  if (!ca || !trusted.includes(ca)) return { code: 60, message: "SSL certificate problem: unable to get local issuer certificate" };
  if (!tls.names.includes(host.toLowerCase().replace(/\.$/, ""))) return { code: 60, message: `SSL: no alternative certificate subject name matches target host name '${host}'` };
  return undefined;
}

function splitHeader(h: string): [string, string] {
  const i = h.indexOf(":");
  return i < 0 ? [h, ""] : [h.slice(0, i).trim(), h.slice(i + 1).trim()];
}

export const wget: CommandFn = async (ctx) => {
  const busybox = ctx.host.image.userland === "busybox";
  const args = ctx.argv.slice(1);
  let quiet = false;
  let out: string | undefined;
  let spider = false;
  const urls: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "-O" || a === "--output-document") out = args[++i];
    else if (a.startsWith("--output-document=")) out = a.split("=")[1];
    else if (a === "-q" || a === "--quiet") quiet = true;
    else if (a === "--spider") spider = true;
    else if (a === "-T" || a === "--timeout") i++;
    else if (/^-[qO]+/.test(a)) {
      if (a.includes("q")) quiet = true;
      if (a.includes("O")) out = a.slice(a.indexOf("O") + 1) || args[++i];
    } else if (!a.startsWith("-")) urls.push(a);
  }
  const raw = urls[0];
  const u = raw ? parseUrl(raw) : undefined;
  if (!u) {
    ctx.io.err(busybox ? "BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...\n" : "wget: missing URL\n");
    return 1;
  }
  const ip = resolvedIp(ctx, u.host);
  const file = out ?? (u.path.replace(/\?.*$/, "").split("/").pop() || "index.html");
  const toStdout = file === "-";
  const log = (s: string) => {
    if (!quiet) ctx.io.err(s);
  };
  if (busybox) log(`Connecting to ${hostHeader(u)} (${ip}:${u.port})\n`);
  else log(`--${new Date(ctx.now).toISOString().slice(0, 19).replace("T", " ")}--  ${u.scheme}://${hostHeader(u)}${u.path}\nConnecting to ${u.host} (${u.host})|${ip}|:${u.port}... `);
  const outcome = await ctx.host.http(u.host, u.port, {
    method: spider ? "HEAD" : "GET",
    path: u.path,
    headers: { Host: hostHeader(u), "User-Agent": busybox ? "Wget" : "Wget/1.21.3", Accept: "*/*" },
    remoteAddr: u.host === "localhost" || u.host.startsWith("127.") ? "127.0.0.1" : ctx.host.podIP,
  }, ctx.now);
  if (outcome.kind !== "response") {
    if (outcome.kind === "unresolved") {
      ctx.io.err(busybox ? `wget: bad address '${u.host}'\n` : `failed: Name or service not known.\nwget: unable to resolve host address '${u.host}'\n`);
      return busybox ? 1 : 4;
    }
    if (outcome.kind === "not-http") {
      ctx.io.err(busybox ? `wget: server returned error: \n` : `connected.\nHTTP request sent, awaiting response... 200 No headers, assuming HTTP/0.9\n`);
      return busybox ? 1 : 0;
    }
    ctx.io.err(busybox ? `wget: can't connect to remote host (${ip}): Connection refused\n` : `failed: Connection refused.\n`);
    return busybox ? 1 : 4;
  }
  const r = outcome.response;
  if (!busybox) log(`connected.\nHTTP request sent, awaiting response... ${r.status} ${r.statusText}\n`);
  if (r.status >= 400) {
    ctx.io.err(busybox ? `wget: server returned error: HTTP/1.1 ${r.status} ${r.statusText}\n` : `${new Date(ctx.now).toISOString().slice(0, 19).replace("T", " ")} ERROR ${r.status}: ${r.statusText}.\n\n`);
    return busybox ? 1 : 8;
  }
  if (spider) {
    log(busybox ? "remote file exists\n" : "Remote file exists.\n\n");
    return 0;
  }
  const size = byteLength(r.body);
  if (toStdout) {
    log(busybox ? "writing to stdout\n" : `Length: ${size}\nSaving to: 'STDOUT'\n\n`);
    ctx.io.out(r.body);
    log(busybox ? `-                    100% |********************************|   ${size}  0:00:00 ETA\nwritten to stdout\n` : `\n`);
    return 0;
  }
  try {
    ctx.host.fs.write(normalizePath(file, ctx.shell.cwd), r.body, false, ctx.now);
  } catch {
    ctx.io.err(busybox ? `wget: can't open '${file}': No such file or directory\n` : `${file}: No such file or directory\n`);
    return 1;
  }
  log(busybox ? `saving to '${file}'\n${file.padEnd(20)} 100% |********************************|   ${size}  0:00:00 ETA\n'${file}' saved\n` : `Length: ${size}\nSaving to: '${file}'\n\n'${file}' saved [${size}/${size}]\n\n`);
  return 0;
};

/**
 * redis-cli speaks to the port through the same host call as HTTP clients, with method
 * "RESP" and the command as a JSON array in the body; the redis program answers with
 * statusText "RESP" (see images/redis.ts). Anything else on the port is not redis.
 */
export const redisCli: CommandFn = async (ctx) => {
  const args = ctx.argv.slice(1);
  let host = "127.0.0.1";
  let port = 6379;
  const cmd: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "-h") host = args[++i] ?? host;
    else if (args[i] === "-p") port = Number(args[++i] ?? port);
    else cmd.push(args[i]);
  }
  if (!cmd.length) {
    ctx.io.err("edgekube: interactive redis-cli is not modelled; pass a command, e.g. redis-cli ping\n");
    return 1;
  }
  const outcome = await ctx.host.http(host, port, { method: "RESP", path: "/", headers: {}, body: JSON.stringify(cmd), remoteAddr: "127.0.0.1" }, ctx.now);
  if (outcome.kind === "response" && outcome.response.statusText === "RESP") {
    ctx.io.out(outcome.response.body + "\n");
    return 0;
  }
  if (outcome.kind === "response") {
    ctx.io.err(`Error: Protocol error, got "H" as reply type byte\n`);
    return 1;
  }
  ctx.io.err(`Could not connect to Redis at ${host}:${port}: ${outcome.kind === "unresolved" ? "Name or service not known" : "Connection refused"}\n`);
  return 1;
};
