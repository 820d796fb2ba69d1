// The TokenRequest subresource (POST .../serviceaccounts/NAME/token, what `kubectl
// create token` sends): a signed token for the ServiceAccount, for the audiences asked
// (the API server's own by default), valid for expirationSeconds (an hour by default,
// ten minutes at least), optionally bound to a pod so it dies with the pod.
import type { ApiContext } from "../context";
import type { RequestInfo } from "../request-info";
import type { KubeObject } from "../../model/types";
import { badRequest, conflict, invalid, notFound } from "../../model/errors";
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

export async function createToken(ctx: ApiContext, ri: RequestInfo, req: Request): Promise<Response> {
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
  const sa = await ctx.store.get("serviceaccounts", ri.namespace, ri.name!);
  if (!sa) throw notFound("serviceaccounts", ri.name!);
  let pod: KubeObject | undefined;
  const ref = spec.boundObjectRef;
  if (ref) {
    if (ref.kind !== "Pod" || (ref.apiVersion ?? "v1") !== "v1") throw badRequest(`cannot bind token to object of type ${ref.apiVersion ?? ""}, Kind=${ref.kind ?? ""}`);
    pod = (await ctx.store.get("pods", ri.namespace, ref.name ?? "")) ?? undefined;
    if (!pod) throw notFound("pods", ref.name ?? "");
    if (ref.uid && ref.uid !== pod.metadata.uid) {
      throw conflict("pods", ref.name ?? "", `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
  }
  const nowMs = ctx.now();
  const { token, claims } = await issueToken(await signingKey(ctx.env.DB, ctx.now), { serviceAccount: sa, audiences, expirationSeconds, pod, nowMs });
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
