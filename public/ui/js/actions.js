// What a person can do from the page. Every action is one or more real API calls,
// shown beside the kubectl command that makes the same calls.
import { h, byId } from "./dom.js";
import { call } from "./api.js";
import { FAULT_LABEL } from "./node-box.js";

/** The image catalog of the nodes (README: Images), with what each needs to run. */
export const CATALOG = [
  { label: "kubernetes-bootcamp:v1", image: "gcr.io/google-samples/kubernetes-bootcamp:v1", port: 8080, command: [] },
  { label: "kubernetes-bootcamp:v2", image: "docker.io/jocatalin/kubernetes-bootcamp:v2", port: 8080, command: [] },
  { label: "kubernetes-bootcamp:v10 (no such tag)", image: "gcr.io/google-samples/kubernetes-bootcamp:v10", port: 8080, command: [] },
  { label: "nginx", image: "nginx", port: 80, command: [] },
  { label: "busybox (sleep 3600)", image: "busybox", port: 8080, command: ["sleep", "3600"] },
];

/** kubectl's container name for an image: its last path element without tag or digest. @param {string} image */
export function containerName(image) {
  const last = image.split("/").pop() ?? image;
  return last.split("@")[0].split(":")[0];
}

/** @param {string} s */
const q = (s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);

const apps = (/** @type {string} */ ns) => `/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/deployments`;
const merge = "application/merge-patch+json";
const strategic = "application/strategic-merge-patch+json";

/** Runs actions and writes each, with its kubectl command and outcome, to the activity list. */
export class Actions {
  /**
   * @param {import("./cluster-state.js").ClusterState} state
   * @param {() => void} refresh re-read what is polled (deployments, services) after a change
   */
  constructor(state, refresh) {
    this.state = state;
    this.refresh = refresh;
    this.namespace = "default";
  }

  /**
   * @param {string} kubectl the equivalent command
   * @param {() => Promise<string | void>} run
   */
  async run(kubectl, run) {
    const result = h("span", { class: "result" }, "…");
    const li = h("li", {}, h("code", {}, `$ ${kubectl}`), " ", result);
    const list = byId("activity");
    list.prepend(li);
    while (list.children.length > 30) list.lastElementChild?.remove();
    try {
      const text = await run();
      result.textContent = text || "done";
      result.className = "result ok";
    } catch (e) {
      result.textContent = e instanceof Error ? e.message : String(e);
      result.className = "result error";
    } finally {
      this.refresh();
    }
  }

  /**
   * @param {string} name
   * @param {typeof CATALOG[number]} entry
   * @param {number} replicas
   */
  createDeployment(name, entry, replicas) {
    const ns = this.namespace;
    const container = { name: containerName(entry.image), image: entry.image, ...(entry.command.length ? { command: entry.command } : {}) };
    const cmd = `kubectl create deployment ${q(name)} --image=${q(entry.image)} --replicas=${replicas}${entry.command.length ? ` -- ${entry.command.map(q).join(" ")}` : ""}`;
    return this.run(cmd, async () => {
      await call(apps(ns), {
        method: "POST",
        body: {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name, labels: { app: name } },
          spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [container] } } },
        },
      });
      return `deployment.apps/${name} created`;
    });
  }

  /**
   * @param {string} name
   * @param {number} replicas
   */
  scale(name, replicas) {
    return this.run(`kubectl scale deployment/${q(name)} --replicas=${replicas}`, async () => {
      await call(`${apps(this.namespace)}/${encodeURIComponent(name)}/scale`, { method: "PATCH", contentType: merge, body: { spec: { replicas } } });
      return `deployment.apps/${name} scaled`;
    });
  }

  /**
   * @param {string} name
   * @param {string} image
   */
  setImage(name, image) {
    const d = this.state.deployments.get(`${this.namespace}/${name}`);
    const container = d?.spec?.template?.spec?.containers?.[0]?.name ?? containerName(image);
    return this.run(`kubectl set image deployment/${q(name)} ${q(container)}=${q(image)}`, async () => {
      await call(`${apps(this.namespace)}/${encodeURIComponent(name)}`, {
        method: "PATCH",
        contentType: strategic,
        body: { spec: { template: { spec: { containers: [{ name: container, image }] } } } },
      });
      return `deployment.apps/${name} image updated`;
    });
  }

  /**
   * @param {string} name
   * @param {number} port
   */
  expose(name, port) {
    const d = this.state.deployments.get(`${this.namespace}/${name}`);
    const selector = d?.spec?.selector?.matchLabels ?? { app: name };
    return this.run(`kubectl expose deployment/${q(name)} --type=NodePort --port=${port}`, async () => {
      const svc = await call(`/api/v1/namespaces/${encodeURIComponent(this.namespace)}/services`, {
        method: "POST",
        body: {
          apiVersion: "v1",
          kind: "Service",
          metadata: { name, labels: d?.metadata?.labels ?? { app: name } },
          spec: { type: "NodePort", selector, ports: [{ port, protocol: "TCP", targetPort: port }] },
        },
      });
      return `service/${name} exposed (${svc.spec?.clusterIP}, node port ${svc.spec?.ports?.[0]?.nodePort})`;
    });
  }

  /** @param {string} name */
  deleteDeployment(name) {
    return this.run(`kubectl delete deployment/${q(name)}`, async () => {
      await call(`${apps(this.namespace)}/${encodeURIComponent(name)}`, { method: "DELETE", body: { propagationPolicy: "Background" } });
      return `deployment.apps "${name}" deleted`;
    });
  }

  /**
   * @param {string} namespace
   * @param {string} name
   */
  deletePod(namespace, name) {
    return this.run(`kubectl delete pod ${q(name)}${namespace === "default" ? "" : ` -n ${q(namespace)}`}`, async () => {
      await call(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`, { method: "DELETE" });
      return `pod "${name}" deleted`;
    });
  }

  /**
   * @param {string} action crash, partition, recover, cordon, uncordon, drain
   * @param {string} node
   */
  nodeAction(action, node) {
    const path = `/api/v1/nodes/${encodeURIComponent(node)}`;
    const label = (/** @type {string | null} */ value) => call(path, { method: "PATCH", contentType: merge, body: { metadata: { labels: { [FAULT_LABEL]: value } } } });
    const cordon = (/** @type {boolean} */ on) => call(path, { method: "PATCH", contentType: merge, body: { spec: { unschedulable: on ? true : null } } });
    switch (action) {
      case "crash":
      case "partition":
        return this.run(`kubectl label node ${q(node)} ${FAULT_LABEL}=${action} --overwrite`, async () => {
          await label(action);
          return `node/${node} labeled`;
        });
      case "recover":
        return this.run(`kubectl label node ${q(node)} ${FAULT_LABEL}-`, async () => {
          await label(null);
          return `node/${node} unlabeled`;
        });
      case "cordon":
        return this.run(`kubectl cordon ${q(node)}`, async () => {
          await cordon(true);
          return `node/${node} cordoned`;
        });
      case "uncordon":
        return this.run(`kubectl uncordon ${q(node)}`, async () => {
          await cordon(false);
          return `node/${node} uncordoned`;
        });
      case "drain":
        return this.run(`kubectl drain ${q(node)} --ignore-daemonsets --delete-emptydir-data`, () => this.drain(node, cordon));
    }
    return Promise.resolve();
  }

  /**
   * Cordon, then evict every pod of the node through the Eviction API (a 429 means a
   * disruption budget said no for now: try again, as kubectl does, every 5 s).
   * @param {string} node
   * @param {(on: boolean) => Promise<unknown>} cordon
   */
  async drain(node, cordon) {
    await cordon(true);
    const pods = await call(`/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`);
    let evicted = 0;
    for (const pod of pods.items ?? []) {
      const phase = pod.status?.phase;
      if (phase === "Succeeded" || phase === "Failed" || pod.metadata.deletionTimestamp) continue;
      const { namespace, name } = pod.metadata;
      for (let attempt = 0; ; attempt++) {
        try {
          await call(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/eviction`, {
            method: "POST",
            body: { apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace } },
          });
          evicted++;
          break;
        } catch (e) {
          if (!(e instanceof Error && "code" in e && e.code === 429) || attempt >= 24) throw e;
          await new Promise((r) => setTimeout(r, 5000));
        }
      }
    }
    return `node/${node} drained (${evicted} pods evicted)`;
  }
}

/**
 * The actions panel: forms whose kubectl command follows what is typed.
 * @param {Actions} actions
 * @param {import("./cluster-state.js").ClusterState} state
 */
export function buildActionsPanel(actions, state) {
  const catalogSelect = () => h("select", {}, ...CATALOG.map((c, i) => h("option", { attrs: { value: String(i) } }, c.label)));
  const deploymentSelect = h("select", { attrs: { id: "act-deployment" } });

  const name = h("input", { attrs: { id: "act-name", value: "kubernetes-bootcamp", required: "", pattern: "[a-z0-9]([-a-z0-9]*[a-z0-9])?" } });
  const image = catalogSelect();
  image.id = "act-image";
  const replicas = h("input", { attrs: { id: "act-replicas", type: "number", min: "0", value: "1" } });
  const create = h(
    "form",
    { on: { submit: (e) => (e.preventDefault(), void actions.createDeployment(name.value, CATALOG[Number(image.value)], Number(replicas.value))) } },
    h("h3", {}, "Create a deployment"),
    h("label", {}, "name ", name),
    h("label", {}, "image ", image),
    h("label", {}, "replicas ", replicas),
    h("button", { attrs: { type: "submit", id: "act-create" } }, "Create"),
  );

  const scaleTo = h("input", { attrs: { id: "act-scale", type: "number", min: "0", value: "4" } });
  const newImage = catalogSelect();
  newImage.id = "act-new-image";
  newImage.value = "1";
  const port = h("input", { attrs: { id: "act-port", type: "number", min: "1", max: "65535", value: "8080" } });
  const chosen = () => deploymentSelect.value;
  const manage = h(
    "div",
    {},
    h("h3", {}, "Change a deployment"),
    h("label", {}, "deployment ", deploymentSelect),
    h("div", {}, h("label", {}, "replicas ", scaleTo), h("button", { attrs: { type: "button", id: "act-do-scale" }, on: { click: () => chosen() && void actions.scale(chosen(), Number(scaleTo.value)) } }, "Scale")),
    h("div", {}, h("label", {}, "image ", newImage), h("button", { attrs: { type: "button", id: "act-do-image" }, on: { click: () => chosen() && void actions.setImage(chosen(), CATALOG[Number(newImage.value)].image) } }, "Set image")),
    h("div", {}, h("label", {}, "port ", port), h("button", { attrs: { type: "button", id: "act-do-expose" }, on: { click: () => chosen() && void actions.expose(chosen(), Number(port.value)) } }, "Expose (NodePort)")),
    h("button", { attrs: { type: "button", id: "act-do-delete" }, on: { click: () => chosen() && void actions.deleteDeployment(chosen()) } }, "Delete deployment"),
  );
  byId("actions").replaceChildren(h("h2", {}, "Actions"), create, manage, h("p", { class: "muted" }, "Nodes: the buttons on each node. Pods: open one."));

  /** Keeps the deployment choice in step with the cluster's deployments. */
  return function syncDeployments() {
    const names = [...state.deployments.values()].map((d) => d.metadata.name).sort();
    const current = [...deploymentSelect.options].map((o) => o.value);
    if (names.join("\n") === current.join("\n")) return;
    const keep = deploymentSelect.value;
    deploymentSelect.replaceChildren(...names.map((n) => h("option", { attrs: { value: n } }, n)));
    if (names.includes(keep)) deploymentSelect.value = keep;
  };
}
