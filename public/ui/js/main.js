// The dashboard: sign in with the API token, then keep a live picture of the cluster.
//
// Connections: a browser opens about 6 HTTP/1.1 connections to one origin, and each
// watch holds one. Four watches (pods, nodes, endpointslices, events) leave one for a
// pod's followed logs and one for requests; Leases (heartbeat ages), Services and
// Deployments change slowly or are shown as numbers, so they are read every few
// seconds instead, and at once after an action. The exec shell is a WebSocket.
import { byId } from "./dom.js";
import { ApiError, call, getToken, setToken, forgetToken } from "./api.js";
import { Informer } from "./informer.js";
import { ClusterState } from "./cluster-state.js";
import { NodesView } from "./nodes-view.js";
import { renderDeployments, renderServices, renderEvents } from "./side-panels.js";
import { FailureTimeline } from "./failure-timeline.js";
import { Actions, buildActionsPanel } from "./actions.js";
import { PodPage } from "./pod-page.js";

const POLL_MS = 4000;

/**
 * The page's own performance figures: when the first full picture (every node and pod
 * listed) was drawn, and each frame's drawing time.
 */
const stats = {
  /** ms since navigation start when sign-in began */
  signIn: 0,
  /** ms since navigation start when the first full render finished */
  firstFullRender: 0,
  frames: 0,
  /** @type {number[]} the last 1,000 frames' drawing times, ms */
  frameMs: [],
  maxFrameMs: 0,
  /** @type {Record<string, Informer["stats"]>} each watch's lists, watches, events, bookmarks, 410s */
  informers: {},
};
/** @type {any} */ (window).edgekubeStats = stats;

/** @type {(() => void) | null} */
let stopApp = null;

function showLogin(/** @type {string} */ message = "") {
  stopApp?.();
  stopApp = null;
  byId("app").hidden = true;
  byId("logout").hidden = true;
  byId("login").hidden = false;
  byId("login-error").textContent = message;
  byId("conn").textContent = "not connected";
}

async function signIn(/** @type {string} */ token) {
  stats.signIn = performance.now();
  stats.firstFullRender = 0;
  setToken(token);
  try {
    // Any authenticated read: a 401 here carries the API server's message.
    await call("/api/v1/nodes?limit=1");
  } catch (e) {
    forgetToken();
    const msg = e instanceof ApiError ? `The API server refused the token: ${e.message} (${e.code} ${e.reason})` : `Cannot reach the API server: ${e instanceof Error ? e.message : String(e)}`;
    showLogin(msg);
    return;
  }
  byId("login").hidden = true;
  byId("app").hidden = false;
  byId("logout").hidden = false;
  stopApp = startApp();
}

function startApp() {
  const state = new ClusterState();
  const nodesView = new NodesView(state, {
    openPod: (pod) => (location.hash = `#/pod/${encodeURIComponent(pod.metadata.namespace)}/${encodeURIComponent(pod.metadata.name)}`),
    nodeAction: (action, node) => void actions.nodeAction(action, node),
  });
  const timeline = new FailureTimeline();
  let stopped = false;

  const poll = async () => {
    const [leases, services, deployments] = await Promise.allSettled([
      call("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases"),
      call("/api/v1/services"),
      call("/apis/apps/v1/deployments"),
    ]);
    if (leases.status === "fulfilled") state.replaceLeases(leases.value.items ?? [], (n) => nodesView.showsBox(n));
    if (services.status === "fulfilled") state.replaceServices(services.value.items ?? []);
    if (deployments.status === "fulfilled") state.replaceDeployments(deployments.value.items ?? []);
  };
  const actions = new Actions(state, () => void poll());
  const syncDeployments = buildActionsPanel(actions, state);
  const podPage = new PodPage(state, actions);

  const synced = { pods: false, nodes: false };
  const connState = /** @type {Record<string, string>} */ ({});
  const status = (/** @type {string} */ what) => (/** @type {string} */ s) => {
    connState[what] = s;
    const text = Object.entries(connState).map(([k, v]) => `${k}: ${v}`).join(" · ");
    byId("conn").textContent = text;
    byId("conn").dataset.ok = String(Object.values(connState).every((v) => v === "watching"));
  };
  const informers = [
    new Informer("/api/v1/pods", {
      replace: (items) => ((synced.pods = true), state.replacePods(items)),
      event: (t, o) => state.podEvent(t, o),
      status: status("pods"),
    }),
    new Informer("/api/v1/nodes", {
      replace: (items) => ((synced.nodes = true), state.replaceNodes(items)),
      event: (t, o) => state.nodeEvent(t, o),
      status: status("nodes"),
    }),
    new Informer("/apis/discovery.k8s.io/v1/endpointslices", {
      replace: (items) => state.replaceSlices(items),
      event: (t, o) => state.sliceEvent(t, o),
      status: status("endpointslices"),
    }),
    // Events: the stream from now on (and one page of the past), not the whole history.
    new Informer(
      "/api/v1/events",
      { replace: (items) => state.replaceEvents(items), event: (t, o) => state.eventEvent(t, o), status: status("events") },
      { pageSize: 200, firstPageOnly: true },
    ),
  ];
  for (const i of informers) stats.informers[i.path] = i.stats;
  state.onEvent = (_t, ev) => {
    timeline.add(ev);
    podPage.event(ev);
  };

  // Everything that changed is drawn once, in the next animation frame.
  let frame = 0;
  const draw = () => {
    frame = 0;
    const t0 = performance.now();
    const podChanged = podPage.name && (podPage.waiting || state.dirtyPods.has(podPage.key));
    nodesView.render();
    if (state.dirtySide) {
      renderDeployments(state);
      renderServices(state);
      syncDeployments();
      state.dirtySide = false;
    }
    if (state.dirtyEvents) {
      renderEvents(state);
      state.dirtyEvents = false;
    }
    if (timeline.dirty) timeline.render();
    if (podChanged) podPage.render();
    state.dirtyPods.clear();
    const ms = performance.now() - t0;
    stats.frames++;
    stats.frameMs.push(ms);
    if (stats.frameMs.length > 1000) stats.frameMs.shift();
    stats.maxFrameMs = Math.max(stats.maxFrameMs, ms);
    if (!stats.firstFullRender && synced.pods && synced.nodes) {
      stats.firstFullRender = performance.now();
      document.body.dataset.rendered = "true";
    }
    byId("stats").textContent = `frame ${ms.toFixed(1)} ms${stats.firstFullRender ? ` · first render ${(stats.firstFullRender / 1000).toFixed(2)} s` : ""}`;
  };
  state.onChange = () => {
    if (!frame && !stopped) frame = requestAnimationFrame(draw);
  };

  const route = () => {
    const m = /^#\/pod\/([^/]+)\/([^/]+)$/.exec(location.hash);
    byId("cluster-view").hidden = !!m;
    byId("pod-view").hidden = !m;
    if (m) podPage.open(decodeURIComponent(m[1]), decodeURIComponent(m[2]));
    else podPage.close();
  };
  window.addEventListener("hashchange", route);

  for (const i of informers) i.start();
  void poll();
  timeline.render();
  const pollTimer = setInterval(() => void poll(), POLL_MS);
  const tickTimer = setInterval(() => nodesView.tick(), 1000);
  route();

  return () => {
    stopped = true;
    for (const i of informers) i.stop();
    clearInterval(pollTimer);
    clearInterval(tickTimer);
    window.removeEventListener("hashchange", route);
    podPage.close();
    if (frame) cancelAnimationFrame(frame);
  };
}

window.addEventListener("edgekube:unauthorized", (e) => {
  forgetToken();
  showLogin(`The API server refused the token: ${/** @type {CustomEvent} */ (e).detail}`);
});

byId("login-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const input = /** @type {HTMLInputElement} */ (byId("token"));
  const token = input.value.trim();
  input.value = "";
  void signIn(token);
});

byId("logout").addEventListener("click", () => {
  forgetToken();
  showLogin();
});

if (getToken()) void signIn(getToken());
else showLogin();
