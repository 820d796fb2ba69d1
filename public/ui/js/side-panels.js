// The side panels: Deployments, Services with their endpoints, the event stream.
import { h, byId, age } from "./dom.js";
import { eventTime } from "./cluster-state.js";

const EVENTS_SHOWN = 80;

/**
 * @param {import("./cluster-state.js").ClusterState} state
 */
export function renderDeployments(state) {
  const rows = [...state.deployments.values()]
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
    .map((d) =>
      h(
        "div",
        { class: "row", attrs: { "data-deployment": d.metadata.name } },
        h("strong", {}, d.metadata.name),
        ` ${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0} ready · `,
        h("code", {}, (d.spec?.template?.spec?.containers ?? []).map((/** @type {any} */ c) => c.image).join(", ")),
      ),
    );
  byId("deployments").replaceChildren(...(rows.length ? rows : [h("p", { class: "muted" }, "none: create one below")]));
}

/**
 * @param {import("./cluster-state.js").ClusterState} state
 */
export function renderServices(state) {
  const rows = [...state.services.values()]
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
    .map((svc) => {
      const ports = (svc.spec?.ports ?? []).map((/** @type {any} */ p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ""}/${p.protocol ?? "TCP"}`).join(", ");
      const endpoints = [];
      for (const slice of state.slicesOf(svc)) {
        const port = slice.ports?.[0]?.port;
        for (const ep of slice.endpoints ?? []) {
          const ready = ep.conditions?.ready !== false;
          for (const ip of ep.addresses ?? []) {
            endpoints.push(h("span", { class: `endpoint ${ready ? "ok" : "bad"}`, title: ep.targetRef?.name ?? "" }, port ? `${ip}:${port}` : ip));
          }
        }
      }
      return h(
        "div",
        { class: "row", attrs: { "data-service": svc.metadata.name } },
        h("strong", {}, svc.metadata.name),
        ` ${svc.spec?.type ?? "ClusterIP"} ${svc.spec?.clusterIP ?? ""} ${ports}`,
        h("div", { class: "endpoints" }, ...(endpoints.length ? endpoints : ["<none>"])),
      );
    });
  byId("services").replaceChildren(...rows);
}

/** @param {any} ev */
export function eventRow(ev) {
  const obj = ev.involvedObject ?? {};
  return h(
    "li",
    { class: ev.type === "Warning" ? "warning" : "" },
    h("span", { class: "ev-age", attrs: { "data-t": String(eventTime(ev)) } }, age(Date.now() - eventTime(ev))),
    " ",
    h("strong", {}, ev.reason ?? ""),
    " ",
    h("span", { class: "ev-obj" }, `${(obj.kind ?? "").toLowerCase()}/${obj.name ?? ""}`),
    (ev.count ?? 1) > 1 ? ` (x${ev.count})` : "",
    ": ",
    ev.message ?? "",
  );
}

/**
 * @param {import("./cluster-state.js").ClusterState} state
 */
export function renderEvents(state) {
  const rows = state.events.slice(-EVENTS_SHOWN).reverse().map(eventRow);
  byId("events").replaceChildren(...rows);
}
