// D1 schema: the role etcd plays for a real API server (after k3s's kine).
// One generic object table keyed by (resource, namespace, name) with the columns
// list queries filter on pulled out of the JSON, plus a change log ordered by one
// cluster-wide resourceVersion counter that feeds watches.
import { sqliteTable, text, integer, index, uniqueIndex } from "drizzle-orm/sqlite-core";

export const objects = sqliteTable(
  "objects",
  {
    /** Storage key of the resource: "pods", "deployments.apps". */
    resource: text("resource").notNull(),
    /** "" for cluster-scoped objects. */
    namespace: text("namespace").notNull(),
    name: text("name").notNull(),
    uid: text("uid").notNull(),
    resourceVersion: integer("resource_version").notNull(),
    /** spec.nodeName of pods, for `describe node` and the kubelet's pod list. */
    nodeName: text("node_name"),
    /** status.phase of pods / namespaces. */
    phase: text("phase"),
    /** uid of the controller owner reference, for controllers and garbage collection. */
    ownerUid: text("owner_uid"),
    /** metadata.labels as JSON, filtered with json_extract for label selectors. */
    labels: text("labels").notNull().default("{}"),
    /** The object as JSON, without metadata.resourceVersion (the column is the truth). */
    body: text("body").notNull(),
  },
  (t) => [
    uniqueIndex("objects_key").on(t.resource, t.namespace, t.name),
    uniqueIndex("objects_uid").on(t.uid),
    index("objects_node").on(t.resource, t.nodeName),
    index("objects_phase").on(t.resource, t.phase),
    index("objects_owner").on(t.ownerUid),
  ],
);

/** Single-row counter: the cluster-wide resourceVersion, bumped once per write. */
export const revision = sqliteTable("revision", {
  id: integer("id").primaryKey(),
  rv: integer("rv").notNull(),
  /** Change-log rows at or below this revision have been pruned: watches from before it get 410 Gone. */
  compactedRv: integer("compacted_rv").notNull().default(0),
});

export const changes = sqliteTable(
  "changes",
  {
    rv: integer("rv").primaryKey(),
    type: text("type", { enum: ["ADDED", "MODIFIED", "DELETED"] }).notNull(),
    resource: text("resource").notNull(),
    namespace: text("namespace").notNull(),
    name: text("name").notNull(),
    body: text("body").notNull(),
    /**
     * The object before this change (null for a create): a watch with a selector tells
     * an object that stops matching (DELETED) from one that starts (ADDED), as etcd's
     * prevKV lets the API server do.
     */
    prevBody: text("prev_body"),
  },
  (t) => [index("changes_resource_rv").on(t.resource, t.rv)],
);

/**
 * The cluster's signing keys (the API server's --service-account-signing-key-file):
 * ServiceAccount tokens are signed with the newest, so a key must outlive restarts
 * and be the same for every isolate. Only the private JWK is kept; the public half is
 * derived from it.
 */
export const signingKeys = sqliteTable("signing_keys", {
  /** The key id (`kid`): base64url of the SHA-256 of the public key's DER. */
  kid: text("kid").primaryKey(),
  /** The private key as a JWK (JSON). */
  privateJwk: text("private_jwk").notNull(),
  /** Milliseconds since the epoch. */
  createdAt: integer("created_at").notNull(),
});

/**
 * The cluster's certificate authority as pods see it (the kube-root-ca.crt ConfigMaps):
 * one row, made once, so every namespace's copy and every node agree across restarts.
 */
export const clusterCa = sqliteTable("cluster_ca", {
  /** Always "ca": the table holds one certificate. */
  id: text("id").primaryKey(),
  /** The CA certificate, PEM. */
  certPem: text("cert_pem").notNull(),
  /** Milliseconds since the epoch. */
  createdAt: integer("created_at").notNull(),
});
