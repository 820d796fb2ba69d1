// The dashboard's calls to the Kubernetes API: the bearer token from this tab's
// session storage (never in a URL, never logged), JSON in and out, and failures as
// the Status the API server answered with.

const TOKEN_KEY = "edgekube.token";

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY) ?? "";
}

/** @param {string} token */
export function setToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** A refused request: the HTTP code and the Status's reason and message. */
export class ApiError extends Error {
  /**
   * @param {number} code
   * @param {string} reason
   * @param {string} message
   */
  constructor(code, reason, message) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}

/**
 * @typedef {object} CallOptions
 * @property {string} [method]
 * @property {unknown} [body]
 * @property {string} [contentType]
 * @property {AbortSignal} [signal]
 */

/**
 * A request with the token; answers the response when it is 2xx, throws ApiError otherwise.
 * @param {string} path
 * @param {CallOptions} [opts]
 * @returns {Promise<Response>}
 */
export async function send(path, opts = {}) {
  /** @type {Record<string, string>} */
  const headers = { authorization: `Bearer ${getToken()}`, accept: "application/json" };
  let body;
  if (opts.body !== undefined) {
    headers["content-type"] = opts.contentType ?? "application/json";
    body = JSON.stringify(opts.body);
  }
  const res = await fetch(path, { method: opts.method ?? "GET", headers, body, signal: opts.signal, cache: "no-store" });
  if (res.ok) return res;
  const text = await res.text();
  let reason = res.statusText;
  let message = text || res.statusText;
  try {
    const status = JSON.parse(text);
    if (status && status.kind === "Status") {
      reason = status.reason ?? reason;
      message = status.message ?? message;
    }
  } catch {
    /* not a Status: keep the text */
  }
  if (res.status === 401) window.dispatchEvent(new CustomEvent("edgekube:unauthorized", { detail: message }));
  throw new ApiError(res.status, reason, message);
}

/**
 * A JSON request.
 * @param {string} path
 * @param {CallOptions} [opts]
 * @returns {Promise<any>}
 */
export async function call(path, opts = {}) {
  const res = await send(path, opts);
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

/** @param {string} s */
function base64url(s) {
  const bytes = new TextEncoder().encode(s);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * A WebSocket to the API. Browsers cannot set Authorization on one, so the token
 * travels in a subprotocol, as the API server accepts it; the server answers with
 * the channel protocol alone.
 * @param {string} path
 * @param {string[]} protocols
 */
export function openWebSocket(path, protocols) {
  const url = new URL(path, location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(url, [...protocols, `base64url.bearer.authorization.k8s.io.${base64url(getToken())}`]);
  ws.binaryType = "arraybuffer";
  return ws;
}
