// The certificate authority pods trust for the API server (ca.crt in every
// kube-root-ca.crt ConfigMap and token volume). The API behind this model is served by
// wrangler or by Cloudflare, whose certificates the cluster does not hold, so the
// cluster has a CA of its own: a self-signed certificate made once and kept in D1
// (src/store/cluster-ca.ts). In-cluster clients check the API server against it
// (src/node/shell/commands/net.ts); no real TLS handshake happens inside the model.
import { loadOrCreateClusterCA } from "../store/cluster-ca";
import { selfSignedCA } from "../util/x509";

/** kubeadm's CA subject. */
const CA_COMMON_NAME = "kubernetes";
const loaded = new WeakMap<D1Database, Promise<string>>();

/** The cluster CA, PEM; read once per isolate and database. */
export function clusterCA(d1: D1Database, now: () => number): Promise<string> {
  let pem = loaded.get(d1);
  if (!pem) {
    pem = loadOrCreateClusterCA(d1, async () => (await selfSignedCA(CA_COMMON_NAME, now())).pem, now());
    // A failure (D1 unavailable) is not remembered: the next caller tries again.
    pem.catch(() => loaded.delete(d1));
    loaded.set(d1, pem);
  }
  return pem;
}
