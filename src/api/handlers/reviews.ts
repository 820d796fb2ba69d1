// The review resources: creates that are answered at once and never stored.
// authentication.k8s.io: TokenReview (is this token valid, and whose is it?) and
// SelfSubjectReview (`kubectl auth whoami`). authorization.k8s.io:
// SelfSubjectAccessReview (`kubectl auth can-i`), SelfSubjectRulesReview (`auth can-i
// --list`), SubjectAccessReview and LocalSubjectAccessReview (may someone else?).
import type { ApiContext } from "../context";
import type { RequestInfo } from "../request-info";
import type { KubeObject, StatusCause } from "../../model/types";
import type { UserInfo } from "../../model/user-info";
import type { Attributes } from "../../model/rbac-rules";
import { type ApiError, badRequest, invalid, methodNotAllowed } from "../../model/errors";
import { invalidField } from "../../model/field-errors";
import { apiVersionOf } from "../../model/resources";
import { readBody } from "../body";
import { json } from "../negotiate";
import { authorizeAttributes } from "../authorizer";
import { RbacAuthorizer } from "../rbac-authorizer";
import { authenticateAnyToken } from "../token-review";

interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

interface NonResourceAttributes {
  path?: string;
  verb?: string;
}

interface AccessReviewSpec {
  resourceAttributes?: ResourceAttributes | null;
  nonResourceAttributes?: NonResourceAttributes | null;
  user?: string;
  groups?: string[] | null;
  uid?: string;
  extra?: Record<string, string[]> | null;
}

/** A review's body: its own kind and version (or none), an object spec. */
async function readReview(ri: RequestInfo, req: Request): Promise<KubeObject & { spec: Record<string, unknown> }> {
  const body = (await readBody(req)) as KubeObject | null;
  if (!body || typeof body !== "object" || Array.isArray(body)) throw badRequest("the body of the request was not a JSON object");
  const apiVersion = apiVersionOf(ri.info);
  if ((body.kind !== undefined && body.kind !== ri.info.kind) || (body.apiVersion !== undefined && body.apiVersion !== apiVersion)) {
    throw badRequest(`the API version in the data (${String(body.apiVersion ?? "")}) does not match the expected API version (${apiVersion})`);
  }
  const spec = body.spec && typeof body.spec === "object" && !Array.isArray(body.spec) ? (body.spec as Record<string, unknown>) : {};
  return { ...body, apiVersion, kind: ri.info.kind, metadata: { ...(body.metadata ?? {}), creationTimestamp: undefined }, spec };
}

function invalidReview(ri: RequestInfo, causes: StatusCause[]): ApiError {
  return invalid(ri.info.kind, "", causes, ri.info.group);
}

export async function createReview(ctx: ApiContext, ri: RequestInfo, req: Request, user: UserInfo): Promise<Response> {
  if (req.method.toUpperCase() !== "POST" || ri.name) throw methodNotAllowed();
  const review = await readReview(ri, req);
  const answer = (status: unknown) => json({ ...review, metadata: { ...review.metadata, creationTimestamp: null }, status }, 201);
  switch (ri.info.resource) {
    case "selfsubjectreviews":
      return json({ kind: ri.info.kind, apiVersion: apiVersionOf(ri.info), metadata: { creationTimestamp: null }, status: { userInfo: userInfoJson(user) } }, 201);
    case "tokenreviews": {
      const token = typeof review.spec.token === "string" ? review.spec.token : "";
      if (!token) throw badRequest("token is required for TokenReview in authentication");
      const audiences = Array.isArray(review.spec.audiences) ? review.spec.audiences.filter((a): a is string => typeof a === "string") : [];
      const result = await authenticateAnyToken(ctx, token, audiences);
      return answer(result.ok ? { authenticated: true, user: userInfoJson(result.user), audiences: result.audiences } : { user: {}, error: result.reason });
    }
    case "selfsubjectrulesreviews": {
      const namespace = typeof review.spec.namespace === "string" ? review.spec.namespace : "";
      if (!namespace) throw badRequest("no namespace on request");
      const { rules, errors } = await new RbacAuthorizer(ctx.store).rulesFor(user, namespace);
      const resourceRules = rules.filter((r) => !r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, apiGroups: r.apiGroups, resources: r.resources, ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}) }));
      const nonResourceRules = rules.filter((r) => r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
      return answer({ resourceRules, nonResourceRules, incomplete: errors.length > 0, ...(errors.length ? { evaluationError: errors.join(", ") } : {}) });
    }
    case "selfsubjectaccessreviews":
      return answer(await decide(ctx, ri, review.spec as AccessReviewSpec, user));
    case "subjectaccessreviews":
    case "localsubjectaccessreviews": {
      const spec = review.spec as AccessReviewSpec;
      const groups = Array.isArray(spec.groups) ? spec.groups : [];
      if (!spec.user && groups.length === 0) throw invalidReview(ri, [invalidField("spec.user", spec.user ?? "", "at least one of user or group must be specified")]);
      if (ri.info.resource === "localsubjectaccessreviews") {
        if (spec.nonResourceAttributes) throw invalidReview(ri, [invalidField("spec.nonResourceAttributes", "", "disallowed on this kind of request")]);
        const attrs = spec.resourceAttributes ?? {};
        if (attrs.namespace && attrs.namespace !== ri.namespace) throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${ri.namespace}`);
        spec.resourceAttributes = { ...attrs, namespace: ri.namespace };
      }
      const subject: UserInfo = { username: spec.user ?? "", groups, ...(spec.uid ? { uid: spec.uid } : {}), ...(spec.extra ? { extra: spec.extra } : {}) };
      return answer(await decide(ctx, ri, spec, subject));
    }
  }
  throw methodNotAllowed();
}

async function decide(ctx: ApiContext, ri: RequestInfo, spec: AccessReviewSpec, user: UserInfo): Promise<{ allowed: boolean; reason?: string }> {
  const ra = spec.resourceAttributes;
  const nra = spec.nonResourceAttributes;
  if (ra && nra) throw invalidReview(ri, [invalidField("spec.nonResourceAttributes", "", "cannot be specified in combination with resourceAttributes")]);
  if (!ra && !nra) throw invalidReview(ri, [invalidField("spec.resourceAttributes", "null", "exactly one of nonResourceAttributes or resourceAttributes must be specified")]);
  const attrs: Attributes = ra
    ? { user, verb: ra.verb ?? "", isResourceRequest: true, path: "", apiGroup: ra.group ?? "", resource: ra.resource ?? "", subresource: ra.subresource ?? "", namespace: ra.namespace ?? "", name: ra.name ?? "" }
    : { user, verb: nra!.verb ?? "", isResourceRequest: false, path: nra!.path ?? "", apiGroup: "", resource: "", subresource: "", namespace: "", name: "" };
  const decision = await authorizeAttributes(ctx.store, attrs);
  return { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) };
}

function userInfoJson(u: UserInfo): Record<string, unknown> {
  return { username: u.username, ...(u.uid ? { uid: u.uid } : {}), groups: u.groups, ...(u.extra ? { extra: u.extra } : {}) };
}
