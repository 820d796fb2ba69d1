// Who a request speaks for, as the API server's authenticators describe a user
// (k8s.io/apiserver/pkg/authentication/user): a name, a uid, groups and extra values.
// The well-known names are upstream's.

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export const ALL_AUTHENTICATED = "system:authenticated";
export const ALL_UNAUTHENTICATED = "system:unauthenticated";
export const ANONYMOUS = "system:anonymous";
export const SYSTEM_PRIVILEGED_GROUP = "system:masters";
export const SERVICE_ACCOUNT_USERNAME_PREFIX = "system:serviceaccount:";
export const ALL_SERVICE_ACCOUNTS_GROUP = "system:serviceaccounts";

/** The local administrator of the API_TOKEN: a member of system:masters, as kubeadm's admin.conf user is. */
export const ADMIN_USER: UserInfo = { username: "kubernetes-admin", groups: [SYSTEM_PRIVILEGED_GROUP, ALL_AUTHENTICATED] };

/** system:serviceaccount:NS:NAME */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_USERNAME_PREFIX}${namespace}:${name}`;
}

/** The namespace and name of a ServiceAccount's username, or undefined for any other user. */
export function splitServiceAccountUsername(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SERVICE_ACCOUNT_USERNAME_PREFIX)) return undefined;
  const parts = username.slice(SERVICE_ACCOUNT_USERNAME_PREFIX.length).split(":");
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { namespace: parts[0], name: parts[1] };
}

/** system:serviceaccounts, system:serviceaccounts:NS: the groups every ServiceAccount is in. */
export function serviceAccountGroups(namespace: string): string[] {
  return [ALL_SERVICE_ACCOUNTS_GROUP, `${ALL_SERVICE_ACCOUNTS_GROUP}:${namespace}`];
}

/** system:node:NAME in system:nodes: what a node's Lease token authenticates as. */
export function nodeUser(node: string): UserInfo {
  return { username: `system:node:${node}`, groups: ["system:nodes", ALL_AUTHENTICATED] };
}
