// What the ServiceAccount admission plugin does to a new pod's spec
// (plugin/pkg/admission/serviceaccount): unless the pod or its account opts out with
// automountServiceAccountToken: false, a projected volume `kube-api-access-XXXXX`
// (a bound token, the cluster's CA and the namespace) mounted read-only at
// /var/run/secrets/kubernetes.io/serviceaccount in every init and app container that
// does not mount something there already.
import type { Pod, ServiceAccount } from "./types";
import type { ProjectedVolumeSource } from "./volume-sources";

export const SERVICE_ACCOUNT_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
export const API_ACCESS_VOLUME_PREFIX = "kube-api-access-";
/** The ConfigMap the root-CA publisher keeps in every namespace. */
export const ROOT_CA_CONFIGMAP = "kube-root-ca.crt";
export const ROOT_CA_KEY = "ca.crt";
/**
 * The token lifetime the plugin asks for (serviceaccount.WarnOnlyBoundTokenExpirationSeconds):
 * an hour and seven seconds, so the API server can tell the kubelet's automatic tokens apart.
 */
export const AUTOMOUNT_TOKEN_EXPIRATION_SECONDS = 3607;

/** The pod's preference wins, then the account's; mounted by default. */
export function shouldAutomount(sa: ServiceAccount, pod: Pod): boolean {
  const podSays = pod.spec.automountServiceAccountToken;
  if (typeof podSays === "boolean") return podSays;
  if (typeof sa.automountServiceAccountToken === "boolean") return sa.automountServiceAccountToken;
  return true;
}

/** The volume's source, as stored (defaultMode and the fieldRef's apiVersion defaulted). */
export function apiAccessSource(): ProjectedVolumeSource {
  return {
    defaultMode: 0o644,
    sources: [
      { serviceAccountToken: { expirationSeconds: AUTOMOUNT_TOKEN_EXPIRATION_SECONDS, path: "token" } },
      { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: ROOT_CA_KEY, path: ROOT_CA_KEY }] } },
      { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
    ],
  };
}

/**
 * Add the token volume and its mounts to `pod` (mutated). A volume named
 * kube-api-access-* already in the spec (a pod copied from another) is reused; `suffix`
 * names a new one.
 */
export function mountServiceAccountToken(pod: Pod, suffix: string): void {
  const spec = pod.spec;
  const existing = (spec.volumes ?? []).find((v) => typeof v?.name === "string" && v.name.startsWith(API_ACCESS_VOLUME_PREFIX));
  const name = existing?.name ?? API_ACCESS_VOLUME_PREFIX + suffix;
  let needed = false;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    if (!c || typeof c !== "object") continue;
    const mounts = Array.isArray(c.volumeMounts) ? c.volumeMounts : [];
    // An existing mount at the path keeps the token out of that container.
    if (mounts.some((m) => m?.mountPath === SERVICE_ACCOUNT_MOUNT_PATH)) continue;
    c.volumeMounts = [...mounts, { name, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH }];
    needed = true;
  }
  if (needed && !existing) spec.volumes = [...(spec.volumes ?? []), { name, projected: apiAccessSource() }];
}
