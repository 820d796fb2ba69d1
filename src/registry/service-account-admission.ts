// The ServiceAccount admission plugin on a pod's create: the account the pod runs as
// must exist (403 otherwise, with upstream's message), and unless it or the pod opts
// out, the pod gets the projected token volume (model/service-account-volume.ts).
// Every writer of pods goes through it: a ReplicaSet's pods get their volume as a
// user's do, since upstream's controllers create pods through the API server.
import type { Pod, ServiceAccount } from "../model/types";
import type { ObjectStore } from "../store/store";
import { forbidden } from "../model/errors";
import { mountServiceAccountToken, shouldAutomount } from "../model/service-account-volume";
import { randomSuffix } from "./name-suffix";
import { snapshotGet } from "./admission-snapshot";
import type { AdmissionMemo } from "./strategies/types";

const DEFAULT_ACCOUNT = "default";
/**
 * The default account is made by a controller just after its namespace: upstream looks
 * for it 10 times, 100-200 ms apart, before giving up; other accounts once.
 */
const DEFAULT_ACCOUNT_ATTEMPTS = 10;
const RETRY_MS = 150;

/** The name admission errors give a pod: its generateName while the name is a generated one. */
function nameInErrors(pod: Pod): string {
  const { name = "", generateName } = pod.metadata;
  return generateName && name.startsWith(generateName) && name.length === generateName.length + 5 ? generateName : name;
}

/** The reads after a first one found nothing: only the default account is waited for. */
async function lookup(store: ObjectStore, namespace: string, name: string): Promise<ServiceAccount | null> {
  const attempts = name === DEFAULT_ACCOUNT ? DEFAULT_ACCOUNT_ATTEMPTS - 1 : 0;
  for (let i = 0; i < attempts; i++) {
    await new Promise((r) => setTimeout(r, RETRY_MS));
    const sa = (await store.get("serviceaccounts", namespace, name)) as ServiceAccount | null;
    if (sa) return sa;
  }
  return null;
}

/** Whether the namespace is there and not going away (else no account will come). */
async function namespaceActive(store: ObjectStore, namespace: string): Promise<boolean> {
  const ns = await store.get("namespaces", "", namespace);
  return !!ns && !ns.metadata.deletionTimestamp;
}

/** `memo` lets the first read come from the isolate's snapshot (admission-snapshot.ts); the waits for a missing default account always read afresh. */
export async function admitServiceAccount(pod: Pod, store: ObjectStore, memo?: AdmissionMemo): Promise<void> {
  const spec = pod.spec;
  // A malformed pod is validation's to refuse.
  if (!spec || typeof spec !== "object" || !Array.isArray(spec.containers)) return;
  const namespace = pod.metadata.namespace ?? "default";
  const account = spec.serviceAccountName || DEFAULT_ACCOUNT;
  if (typeof account !== "string") return;
  let sa = (await snapshotGet(store, "serviceaccounts", namespace, account, memo)) as ServiceAccount | null;
  if (!sa) {
    // NamespaceLifecycle admits first upstream: a missing or terminating namespace is
    // the registry's error to give (the ServiceAccount went with the namespace).
    if (!(await namespaceActive(store, namespace))) return;
    sa = await lookup(store, namespace, account);
  }
  if (!sa) {
    throw forbidden(`pods "${nameInErrors(pod)}" is forbidden: error looking up service account ${namespace}/${account}: serviceaccount "${account}" not found`, {
      name: nameInErrors(pod),
      kind: "pods",
    });
  }
  if (shouldAutomount(sa, pod)) mountServiceAccountToken(pod, randomSuffix());
}
