// The root CA certificate publisher (pkg/controller/certificates/rootcacertpublisher):
// every active namespace has a ConfigMap `kube-root-ca.crt` whose `ca.crt` is the
// cluster's CA, the bundle in-cluster clients verify the API server with (the token
// volume projects it as ca.crt). Made when a namespace appears, made again when deleted,
// put back when someone changes its data or drops its description.
import type { ControllerKey } from "../controlplane/stubs";
import type { ConfigMap } from "../model/types";
import { ApiError } from "../model/errors";
import { ROOT_CA_CONFIGMAP, ROOT_CA_KEY } from "../model/service-account-volume";
import type { ControllerContext } from "./context";
import type { Controller, NamespacedName } from "./controller";
import { activeNamespaceKeys, namespaceActive } from "./namespace-active";

export const DESCRIPTION_ANNOTATION = "kubernetes.io/description";
const DESCRIPTION =
  "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

/** Whether a published ConfigMap already says what it should. */
export function publishedAsIs(cm: ConfigMap, pem: string): boolean {
  const data = cm.data ?? {};
  return Object.keys(data).length === 1 && data[ROOT_CA_KEY] === pem && !cm.binaryData && !!cm.metadata.annotations?.[DESCRIPTION_ANNOTATION];
}

export class RootCAPublisher implements Controller {
  readonly name = "rootca";

  constructor(private readonly ctx: ControllerContext) {}

  /** Keys are namespaces (cluster-scoped: namespace ""). */
  keysFor(change: ControllerKey): NamespacedName[] {
    if (change.resource === "namespaces" && change.type !== "DELETED" && !change.deletionTimestamp) return [{ namespace: "", name: change.name }];
    if (change.resource === "configmaps" && change.name === ROOT_CA_CONFIGMAP && change.type !== "ADDED") return [{ namespace: "", name: change.namespace }];
    return [];
  }

  resyncKeys(): Promise<NamespacedName[]> {
    return activeNamespaceKeys(this.ctx);
  }

  async reconcile(key: NamespacedName): Promise<void> {
    const { ctx } = this;
    if (!ctx.clusterCA) return;
    if (!(await namespaceActive(ctx, key.name))) return;
    const pem = await ctx.clusterCA();
    const cm = (await ctx.store.get("configmaps", key.name, ROOT_CA_CONFIGMAP)) as ConfigMap | null;
    if (cm && publishedAsIs(cm, pem)) return;
    try {
      if (!cm) {
        const fresh: ConfigMap = {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: ROOT_CA_CONFIGMAP, namespace: key.name, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } },
          data: { [ROOT_CA_KEY]: pem },
        };
        await ctx.registry.create("configmaps", fresh);
        return;
      }
      await ctx.registry.patch("configmaps", key.name, ROOT_CA_CONFIGMAP, (cur) => {
        const next = cur as ConfigMap;
        next.data = { [ROOT_CA_KEY]: pem };
        delete next.binaryData;
        next.metadata.annotations = { ...(next.metadata.annotations ?? {}) };
        next.metadata.annotations[DESCRIPTION_ANNOTATION] ??= DESCRIPTION;
        return next;
      });
    } catch (e) {
      // Made meanwhile (the next change brings it back here), or the namespace began terminating or went.
      if (e instanceof ApiError && (e.reason === "AlreadyExists" || e.code === 403 || e.code === 404)) return;
      throw e;
    }
  }
}
