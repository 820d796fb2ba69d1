// The review kinds of authentication.k8s.io and authorization.k8s.io: questions put to
// the server (who is this token? may this user do that?) and answered in the status of
// the object returned. They are created, never stored.
import { def, kind, str, bool, ref, list, strList, type Definition, type Field } from "./dsl";

const AUTHN = (n: string) => `io.k8s.api.authentication.v1.${n}`;
const AUTHZ = (n: string) => `io.k8s.api.authorization.v1.${n}`;

const extra = (d: string): Field => ({ type: { k: "map", of: { k: "array", of: { k: "string" } } }, description: d });

const RESOURCE_ATTRIBUTES = {
  resourceAttributes: ref(AUTHZ("ResourceAttributes"), "The request on a resource to check: verb, group, resource, namespace and name."),
  nonResourceAttributes: ref(AUTHZ("NonResourceAttributes"), "The request on a non-resource URL to check, such as GET /healthz."),
};

const SAR_STATUS = ref(AUTHZ("SubjectAccessReviewStatus"), "The answer, filled in by the server.");

export const REVIEW_DEFINITIONS: Definition[] = [
  kind("authentication.k8s.io", "v1", "TokenReview", AUTHN("TokenReview"), "A TokenReview asks the server who a bearer token belongs to. Create one with the token in spec; the returned object says whether it is valid and for which user.", {
    spec: ref(AUTHN("TokenReviewSpec"), "The token to check."),
    status: ref(AUTHN("TokenReviewStatus"), "The answer, filled in by the server."),
  }),
  def(AUTHN("TokenReviewSpec"), "The token a TokenReview asks about.", {
    token: str("The bearer token, as a client would send it."),
    audiences: strList("Audiences the token must be valid for; empty means the server's own."),
  }),
  def(AUTHN("TokenReviewStatus"), "The result of checking a token.", {
    authenticated: bool("Whether the token is valid."),
    user: ref(AUTHN("UserInfo"), "The user the token belongs to, when it is valid."),
    audiences: strList("The audiences the token is valid for, among those asked."),
    error: str("Why the token could not be checked, if it could not."),
  }),
  def(AUTHN("UserInfo"), "Who a request comes from, as the authenticator found.", {
    username: str("The user's name, e.g. system:serviceaccount:default:app."),
    uid: str("A unique id of the user, if the authenticator gives one."),
    groups: strList("The groups the user belongs to, e.g. system:authenticated."),
    extra: extra("Further information the authenticator provided, as lists of strings by key."),
  }),
  kind("authentication.k8s.io", "v1", "SelfSubjectReview", AUTHN("SelfSubjectReview"), "A SelfSubjectReview asks the server who the caller is: the returned status holds the user it authenticated the request as (`kubectl auth whoami`).", {
    status: ref(AUTHN("SelfSubjectReviewStatus"), "The answer, filled in by the server."),
  }),
  def(AUTHN("SelfSubjectReviewStatus"), "Who the caller of a SelfSubjectReview is.", {
    userInfo: ref(AUTHN("UserInfo"), "The user the request was authenticated as."),
  }),
  kind("authorization.k8s.io", "v1", "SubjectAccessReview", AUTHZ("SubjectAccessReview"), "A SubjectAccessReview asks whether a given user or group may make a given request, in any namespace.", {
    spec: ref(AUTHZ("SubjectAccessReviewSpec"), "The user and the request to check."),
    status: SAR_STATUS,
  }),
  kind("authorization.k8s.io", "v1", "LocalSubjectAccessReview", AUTHZ("LocalSubjectAccessReview"), "A LocalSubjectAccessReview asks whether a given user may make a given request in the namespace the review is created in.", {
    spec: ref(AUTHZ("SubjectAccessReviewSpec"), "The user and the request to check; its namespace must be the review's."),
    status: SAR_STATUS,
  }),
  def(AUTHZ("SubjectAccessReviewSpec"), "Who asks to do what, for an access review. Exactly one of resourceAttributes and nonResourceAttributes is set.", {
    ...RESOURCE_ATTRIBUTES,
    user: str("The user to check for."),
    groups: strList("The groups to check for."),
    extra: extra("Further information about the user, as an authenticator would give it."),
    uid: str("The id of the user to check for."),
  }),
  kind("authorization.k8s.io", "v1", "SelfSubjectAccessReview", AUTHZ("SelfSubjectAccessReview"), "A SelfSubjectAccessReview asks whether the caller may make a given request (`kubectl auth can-i`).", {
    spec: ref(AUTHZ("SelfSubjectAccessReviewSpec"), "The request to check."),
    status: SAR_STATUS,
  }),
  def(AUTHZ("SelfSubjectAccessReviewSpec"), "The request a SelfSubjectAccessReview asks about: exactly one of the two attributes is set.", RESOURCE_ATTRIBUTES),
  def(AUTHZ("ResourceAttributes"), "A request on a resource, as the authorizer sees it.", {
    namespace: str("The namespace; empty for cluster-scoped resources or all namespaces."),
    verb: str("The verb: get, list, watch, create, update, patch, delete... or * for all."),
    group: str("The API group; empty for the core group."),
    version: str("The API version."),
    resource: str("The resource, e.g. pods; * for all."),
    subresource: str("The subresource, e.g. log or status."),
    name: str("The object's name; empty for all."),
  }),
  def(AUTHZ("NonResourceAttributes"), "A request on a URL that is not a resource.", {
    path: str("The URL path, e.g. /healthz."),
    verb: str("The HTTP verb in lower case, e.g. get."),
  }),
  def(AUTHZ("SubjectAccessReviewStatus"), "The answer to an access review.", {
    allowed: bool("Whether the request is allowed."),
    denied: bool("Whether the request is explicitly denied; false with allowed false means no authorizer had an opinion."),
    reason: str("Why, in words, when an authorizer gave a reason."),
    evaluationError: str("What went wrong while checking, if anything; the answer may then be incomplete."),
  }, { required: ["allowed"] }),
  kind("authorization.k8s.io", "v1", "SelfSubjectRulesReview", AUTHZ("SelfSubjectRulesReview"), "A SelfSubjectRulesReview asks for everything the caller may do in a namespace (`kubectl auth can-i --list`).", {
    spec: ref(AUTHZ("SelfSubjectRulesReviewSpec"), "The namespace to list the rules of."),
    status: ref(AUTHZ("SubjectRulesReviewStatus"), "The answer, filled in by the server."),
  }),
  def(AUTHZ("SelfSubjectRulesReviewSpec"), "Which namespace a rules review is about.", {
    namespace: str("The namespace to list the caller's rules in."),
  }),
  def(AUTHZ("SubjectRulesReviewStatus"), "What the caller may do in a namespace.", {
    resourceRules: list(AUTHZ("ResourceRule"), "What the caller may do on resources."),
    nonResourceRules: list(AUTHZ("NonResourceRule"), "What the caller may do on non-resource URLs."),
    incomplete: bool("True when the list may be missing rules, e.g. because an authorizer cannot enumerate them."),
    evaluationError: str("What went wrong while listing, if anything."),
  }, { required: ["resourceRules", "nonResourceRules", "incomplete"] }),
  def(AUTHZ("ResourceRule"), "Verbs the caller may use on some resources.", {
    verbs: strList("The verbs allowed; * for all."),
    apiGroups: strList("The API groups of the resources; * for all."),
    resources: strList("The resources; * for all."),
    resourceNames: strList("The object names the rule is limited to; empty for all."),
  }, { required: ["verbs"] }),
  def(AUTHZ("NonResourceRule"), "Verbs the caller may use on some non-resource URLs.", {
    verbs: strList("The verbs allowed; * for all."),
    nonResourceURLs: strList("The URL paths, possibly ending in *."),
  }, { required: ["verbs"] }),
];
