// The API server's authorizer chain as configured here: members of system:masters may
// do everything (the privileged-group authorizer in front of RBAC), everyone else what
// RBAC allows. Used by the filter chain, by impersonation, by the escalation checks and
// by the access reviews, so each asks the same question the same way.
import type { ObjectStore } from "../store/store";
import { SYSTEM_PRIVILEGED_GROUP } from "../model/user-info";
import type { Attributes } from "../model/rbac-rules";
import { RbacAuthorizer, type Decision } from "./rbac-authorizer";

export async function authorizeAttributes(store: ObjectStore, attrs: Attributes): Promise<Decision> {
  if (attrs.user.groups.includes(SYSTEM_PRIVILEGED_GROUP)) return { allowed: true, reason: "" };
  return new RbacAuthorizer(store).authorize(attrs);
}
