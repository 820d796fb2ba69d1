// The TokenRequest subresource (POST .../serviceaccounts/NAME/token, what `kubectl
// create token` sends): a signed token for the ServiceAccount, for the audiences asked
// (the API server's own by default), valid for expirationSeconds (an hour by default,
// ten minutes at least), optionally bound to a pod so it dies with the pod.
import type { ApiContext, RequestUser } from "../context";
import type { RequestInfo } from "../request-info";
import type { KubeObject, Pod } from "../../model/types";
import { badRequest, conflict, forbidden, invalid, notFound } from "../../model/errors";
import { invalidField } from "../../model/field-errors";
import { readBody } from "../body";
import { json } from "../negotiate";
import { signingKey } from "../signing-key";
import { API_AUDIENCES, issueToken } from "../service-account-tokens";

const GROUP = "authentication.k8s.io";
const DEFAULT_EXPIRATION_SECONDS = 3600;
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

interface TokenRequestSpec {
  audiences?: string[] | null;
  expirationSeconds?: number | null;
  boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string } | null;
}

export async function createToken(ctx: ApiContext, ri: RequestInfo, req: Request, user?: RequestUser): Promise<Response> {
  const body = (await readBody(req)) as KubeObject | null;
  if (!body || typeof body !== "object" || Array.isArray(body)) throw badRequest("the body of the request was not a JSON object");
  if ((body.kind !== undefined && body.kind !== "TokenRequest") || (body.apiVersion !== undefined && body.apiVersion !== `${GROUP}/v1`)) {
    throw badRequest(`the API version in the data (${String(body.apiVersion ?? "")}) does not match the expected API version (${GROUP}/v1)`);
  }
  const spec = ((body.spec && typeof body.spec === "object" ? body.spec : {}) as TokenRequestSpec) ?? {};
  const audiences = Array.isArray(spec.audiences) && spec.audiences.length ? spec.audiences.filter((a) => typeof a === "string") : API_AUDIENCES;
  const expirationSeconds = spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
  const causes = [];
  if (!Number.isInteger(expirationSeconds) || expirationSeconds < MIN_EXPIRATION_SECONDS) {
    causes.push(invalidField("spec.expirationSeconds", expirationSeconds, "may not specify a duration less than 10 minutes"));
  } else if (expirationSeconds > MAX_EXPIRATION_SECONDS) {
    causes.push(invalidField("spec.expirationSeconds", expirationSeconds, "may not specify a duration larger than 2^32 seconds"));
  }
  if (causes.length) {
    throw invalid("TokenRequest", "", causes, GROUP);
  }
  const ref = spec.boundObjectRef;
  const bindsPod = ref?.kind === "Pod" && (ref.apiVersion ?? "v1") === "v1";
  // The account and the pod it is bound to in one round trip (every pod's start asks for one).
  const [sa, boundPod] = await ctx.store.getMany([
    { resource: "serviceaccounts", namespace: ri.namespace, name: ri.name! },
    ...(bindsPod ? [{ resource: "pods", namespace: ri.namespace, name: ref.name ?? "" }] : []),
  ]);
  // Upstream's order: the account first, then what the token is bound to.
  if (!sa) throw notFound("serviceaccounts", ri.name!);
  let pod: KubeObject | undefined;
  if (ref) {
    if (!bindsPod) throw badRequest(`cannot bind token to object of type ${ref.apiVersion ?? ""}, Kind=${ref.kind ?? ""}`);
    pod = boundPod ?? undefined;
    if (!pod) throw notFound("pods", ref.name ?? "");
    if (ref.uid && ref.uid !== pod.metadata.uid) {
      throw conflict("pods", ref.name ?? "", `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
  }
  if (user?.kind === "node") nodeRestriction(user.node, ri, spec.boundObjectRef, pod);
  const nowMs = ctx.now();
  const { token, claims } = await issueToken(await signingKey(ctx.env.DB, ctx.now, ctx.config.serviceAccountKeyAlgorithm), { serviceAccount: sa, audiences, expirationSeconds, pod, nowMs });
  const answer = {
    kind: "TokenRequest",
    apiVersion: `${GROUP}/v1`,
    metadata: { name: ri.name, namespace: ri.namespace, creationTimestamp: null },
    spec: {
      audiences,
      expirationSeconds,
      boundObjectRef: pod ? { kind: "Pod", apiVersion: "v1", name: pod.metadata.name, uid: pod.metadata.uid } : null,
    },
    status: { token, expirationTimestamp: new Date(claims.exp * 1000).toISOString().replace(/\.\d{3}Z$/, "Z") },
  };
  return json(answer, 201);
}

/**
 * A kubelet may ask only for tokens bound to a pod on its node that runs as the
 * account (the NodeRestriction admission plugin and the Node authorizer's graph).
 */
function nodeRestriction(node: string, ri: RequestInfo, ref: TokenRequestSpec["boundObjectRef"], pod: KubeObject | undefined): void {
  const deny = (why: string) => forbidden(`serviceaccounts "${ri.name}" is forbidden: ${why}`, { name: ri.name, kind: "serviceaccounts" });
  if (!ref || !pod) throw deny("node requested token not bound to a pod");
  if (!ref.uid) throw deny("node requested token with a pod binding without a uid");
  const spec = (pod as Pod).spec;
  if (spec?.nodeName !== node) throw deny("node requested token bound to a pod scheduled on a different node");
  if ((spec.serviceAccountName ?? "default") !== ri.name) {
    throw forbidden(`serviceaccounts "${ri.name}" is forbidden: User "system:node:${node}" cannot create resource "serviceaccounts/token" in API group "" in the namespace "${ri.namespace}": no relationship found between node '${node}' and this object`, { name: ri.name, kind: "serviceaccounts" });
  }
}
