// A pod's page: what `kubectl describe pod` shows (conditions, containers, events),
// its logs followed as they are written, a shell in it over the exec WebSocket, and
// the scheduler's explanation of where it went.
import { h, byId, age } from "./dom.js";
import { call, send, openWebSocket } from "./api.js";
import { containerState, podStatusText, restarts } from "./pod-card.js";
import { eventRow } from "./side-panels.js";
import { eventTime } from "./cluster-state.js";

const enc = encodeURIComponent;

export class PodPage {
  /**
   * @param {import("./cluster-state.js").ClusterState} state
   * @param {import("./actions.js").Actions} actions
   */
  constructor(state, actions) {
    this.state = state;
    this.actions = actions;
    this.root = byId("pod-view");
    this.namespace = "";
    this.name = "";
    /** @type {any[]} */
    this.events = [];
    /** @type {AbortController | null} */
    this.logs = null;
    /** @type {WebSocket | null} */
    this.ws = null;
    /** Opened before the pods were listed: the logs and shell start once the pod is known. */
    this.waiting = false;
    this.describe = h("div");
    this.eventsList = h("ol", { class: "events" });
  }

  get key() {
    return `${this.namespace}/${this.name}`;
  }

  /**
   * @param {string} namespace
   * @param {string} name
   */
  open(namespace, name) {
    this.close();
    this.namespace = namespace;
    this.name = name;
    this.events = [];
    const pod = this.state.pods.get(this.key);
    this.waiting = !pod;
    const containers = (pod?.spec?.containers ?? []).map((/** @type {any} */ c) => c.name);
    const container = h("select", { attrs: { id: "pod-container" } }, ...containers.map((/** @type {string} */ c) => h("option", { attrs: { value: c } }, c)));
    const logOut = h("pre", { class: "logs", attrs: { id: "pod-logs" } });
    const logCmd = h("code", {});
    const termOut = h("pre", { class: "terminal", attrs: { id: "exec-output" } });
    const termIn = h("input", { attrs: { id: "exec-input", autocomplete: "off", spellcheck: "false", placeholder: "a command, then Enter" } });
    const termCmd = h("code", {});
    const termState = h("span", { class: "muted", attrs: { id: "exec-state" } });
    const explain = h("div", { attrs: { id: "pod-scheduling" } });
    const ns = namespace === "default" ? "" : ` -n ${namespace}`;

    const restart = () => {
      logCmd.textContent = `$ kubectl logs -f --tail=500 ${name} -c ${container.value}${ns}`;
      termCmd.textContent = `$ kubectl exec -i ${name} -c ${container.value}${ns} -- sh`;
      this.followLogs(container.value, logOut);
      this.startShell(container.value, termOut, termState);
    };
    container.addEventListener("change", restart);
    termIn.addEventListener("keydown", (e) => {
      if (e.key !== "Enter") return;
      const line = termIn.value;
      termIn.value = "";
      termOut.append(document.createTextNode(`$ ${line}\n`));
      this.sendStdin(`${line}\n`);
    });

    this.root.replaceChildren(
      h("p", {}, h("a", { attrs: { href: "#/" } }, "← cluster")),
      h("h2", {}, `Pod ${namespace}/${name}`),
      h("p", {}, h("code", {}, `$ kubectl describe pod ${name}${ns}`), " ", h("button", { attrs: { type: "button", id: "pod-delete" }, on: { click: () => void this.actions.deletePod(namespace, name) } }, "Delete pod"), h("code", {}, ` kubectl delete pod ${name}${ns}`)),
      this.describe,
      h("h3", {}, "Events"),
      this.eventsList,
      h("h3", {}, "Logs ", container),
      h("p", {}, logCmd),
      logOut,
      h("h3", {}, "Shell ", termState, " ", h("button", { attrs: { type: "button", id: "exec-reconnect" }, on: { click: () => this.startShell(container.value, termOut, termState) } }, "Reconnect")),
      h("p", {}, termCmd),
      termOut,
      termIn,
      h("h3", {}, "Where the scheduler put it, and why"),
      h("p", {}, h("code", {}, `$ curl -k -H "Authorization: Bearer $TOKEN" .../edgekube/v1/namespaces/${namespace}/pods/${name}/scheduling`)),
      explain,
    );
    this.render();
    if (containers.length) restart();
    void this.loadEvents();
    void this.loadScheduling(explain);
  }

  close() {
    this.logs?.abort();
    this.logs = null;
    this.ws?.close();
    this.ws = null;
    this.name = "";
  }

  /** Redraw the describe part from the pod as the watch last saw it. */
  render() {
    const pod = this.state.pods.get(this.key);
    if (pod && this.waiting) return this.open(this.namespace, this.name);
    if (!pod) {
      this.describe.replaceChildren(h("p", { class: "error" }, "This pod no longer exists."));
      return;
    }
    const owner = (pod.metadata.ownerReferences ?? []).find((/** @type {any} */ o) => o.controller);
    const statuses = new Map((pod.status?.containerStatuses ?? []).map((/** @type {any} */ cs) => [cs.name, cs]));
    const dl = (/** @type {[string, string][]} */ rows) => h("dl", {}, ...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
    this.describe.replaceChildren(
      dl([
        ["Status", podStatusText(pod)],
        ["Node", pod.spec?.nodeName ?? "<none>"],
        ["IP", pod.status?.podIP ?? "<none>"],
        ["Started", pod.status?.startTime ? `${pod.status.startTime} (${age(Date.now() - Date.parse(pod.status.startTime))} ago)` : "<none>"],
        ["Labels", Object.entries(pod.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(", ") || "<none>"],
        ["Controlled By", owner ? `${owner.kind}/${owner.name}` : "<none>"],
        ["Restarts", String(restarts(pod))],
      ]),
      h("h3", {}, "Conditions"),
      h(
        "table",
        {},
        h("tr", {}, h("th", {}, "Type"), h("th", {}, "Status"), h("th", {}, "Reason / message")),
        ...(pod.status?.conditions ?? []).map((/** @type {any} */ c) => h("tr", {}, h("td", {}, c.type), h("td", {}, c.status), h("td", {}, [c.reason, c.message].filter(Boolean).join(": ")))),
      ),
      h("h3", {}, "Containers"),
      h(
        "table",
        { attrs: { id: "pod-containers" } },
        h("tr", {}, h("th", {}, "Name"), h("th", {}, "Image"), h("th", {}, "State"), h("th", {}, "Ready"), h("th", {}, "Restarts")),
        ...(pod.spec?.containers ?? []).map((/** @type {any} */ c) => {
          const cs = statuses.get(c.name);
          return h("tr", {}, h("td", {}, c.name), h("td", {}, c.image), h("td", {}, containerState(cs).text), h("td", {}, String(!!cs?.ready)), h("td", {}, String(cs?.restartCount ?? 0)));
        }),
      ),
    );
  }

  async loadEvents() {
    const name = this.name;
    const q = new URLSearchParams({ fieldSelector: `involvedObject.name=${this.name},involvedObject.namespace=${this.namespace}` });
    try {
      const list = await call(`/api/v1/namespaces/${enc(this.namespace)}/events?${q}`);
      if (name !== this.name) return;
      const seen = new Set(this.events.map((e) => e.metadata.name));
      for (const ev of list.items ?? []) if (!seen.has(ev.metadata.name)) this.events.push(ev);
      this.renderEvents();
    } catch (e) {
      this.eventsList.replaceChildren(h("li", { class: "error" }, e instanceof Error ? e.message : String(e)));
    }
  }

  /** A live event: the page's pod's events join its list. @param {any} ev */
  event(ev) {
    if (!this.name || ev.involvedObject?.name !== this.name || ev.involvedObject?.namespace !== this.namespace) return;
    this.events = this.events.filter((e) => e.metadata.name !== ev.metadata.name);
    this.events.push(ev);
    this.renderEvents();
  }

  renderEvents() {
    this.events.sort((a, b) => eventTime(a) - eventTime(b));
    this.eventsList.replaceChildren(...this.events.map(eventRow));
  }

  /**
   * `GET .../log?follow=true`, read as it streams.
   * @param {string} container
   * @param {HTMLElement} out
   */
  followLogs(container, out) {
    this.logs?.abort();
    const abort = new AbortController();
    this.logs = abort;
    out.textContent = "";
    const path = `/api/v1/namespaces/${enc(this.namespace)}/pods/${enc(this.name)}/log?follow=true&container=${enc(container)}&tailLines=500`;
    void (async () => {
      try {
        const res = await send(path, { signal: abort.signal });
        if (!res.body) return;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          out.append(document.createTextNode(value));
          out.scrollTop = out.scrollHeight;
        }
        out.append(h("span", { class: "muted" }, "[log stream ended]\n"));
      } catch (e) {
        if (!abort.signal.aborted) out.append(h("span", { class: "error" }, `${e instanceof Error ? e.message : String(e)}\n`));
      }
    })();
  }

  /**
   * A shell over the exec WebSocket (v5.channel.k8s.io, v4 as a fallback): each line
   * typed is stdin for `sh`, which runs it as it arrives; stdout and stderr are
   * channels 1 and 2, the exit status channel 3.
   * @param {string} container
   * @param {HTMLElement} out
   * @param {HTMLElement} stateText
   */
  startShell(container, out, stateText) {
    this.ws?.close();
    out.textContent = "";
    const q = new URLSearchParams({ container, stdin: "true", stdout: "true", stderr: "true" });
    q.append("command", "sh");
    const ws = openWebSocket(`/api/v1/namespaces/${enc(this.namespace)}/pods/${enc(this.name)}/exec?${q}`, ["v5.channel.k8s.io", "v4.channel.k8s.io"]);
    this.ws = ws;
    stateText.textContent = "connecting";
    const decoder = new TextDecoder();
    ws.addEventListener("open", () => {
      stateText.textContent = `connected (${ws.protocol})`;
      stateText.dataset.state = "open";
    });
    ws.addEventListener("message", (ev) => {
      const bytes = new Uint8Array(/** @type {ArrayBuffer} */ (ev.data));
      const text = decoder.decode(bytes.subarray(1), { stream: true });
      if (bytes[0] === 1) out.append(document.createTextNode(text));
      else if (bytes[0] === 2) out.append(h("span", { class: "stderr" }, text));
      else if (bytes[0] === 3) {
        const status = JSON.parse(text || "{}");
        out.append(h("span", { class: "muted" }, `[exited: ${status.status === "Success" ? "0" : (status.message ?? status.status)}]\n`));
      }
      out.scrollTop = out.scrollHeight;
    });
    ws.addEventListener("close", (ev) => {
      if (this.ws !== ws) return;
      stateText.textContent = `closed${ev.code !== 1000 && ev.code !== 1005 ? ` (${ev.code}${ev.reason ? `: ${ev.reason}` : ""})` : ""}`;
      stateText.dataset.state = "closed";
    });
  }

  /** @param {string} text */
  sendStdin(text) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    const data = new TextEncoder().encode(text);
    const frame = new Uint8Array(data.length + 1);
    frame[0] = 0;
    frame.set(data, 1);
    this.ws.send(frame);
  }

  /** @param {HTMLElement} out */
  async loadScheduling(out) {
    try {
      const res = await call(`/edgekube/v1/namespaces/${enc(this.namespace)}/pods/${enc(this.name)}/scheduling`);
      // The recorded decision (kept for the scheduler's last pods), or where it would go now.
      const ex = res.explanation ?? {};
      const source = res.source === "dry-run" ? "re-evaluated now (the recorded decision is no longer kept)" : `decided ${res.decidedAt ?? ""}`;
      const rows = (ex.nodes ?? []).map((/** @type {any} */ n) =>
        h(
          "tr",
          { class: n.selected ? "selected" : "" },
          h("td", {}, n.name, n.selected ? " ✓" : ""),
          h("td", {}, n.evaluated ? (n.feasible ? "feasible" : `${n.filter?.decidedBy ?? ""}: ${(n.filter?.reasons ?? []).join("; ")}`) : "not evaluated"),
          h("td", {}, n.score ? String(Math.round(n.score.final)) : ""),
          h("td", {}, n.score ? n.score.plugins.map((/** @type {any} */ p) => `${p.plugin} ${Math.round(p.weighted)}`).join(", ") : ""),
        ),
      );
      out.replaceChildren(
        h("p", { attrs: { id: "pod-scheduling-summary" } }, `Chosen: ${ex.selectedNode ?? "none"} (${source}) — ${ex.evaluated} of ${ex.numAllNodes} nodes evaluated, ${ex.feasible} feasible (${ex.scoring})${ex.message ? `: ${ex.message}` : ""}`),
        h("table", {}, h("tr", {}, h("th", {}, "Node"), h("th", {}, "Filters"), h("th", {}, "Score"), h("th", {}, "Weighted scores")), ...rows),
      );
    } catch (e) {
      out.replaceChildren(h("p", { class: "muted" }, e instanceof Error ? e.message : String(e)));
    }
  }
}
