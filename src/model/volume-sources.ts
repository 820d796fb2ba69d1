// The volume sources whose files the kubelet renders from the API rather than from a
// disk: projected volumes (serviceAccountToken, configMap, secret and downwardAPI
// sources side by side) and downwardAPI volumes (k8s.io/api core/v1 types.go).
import type { KeyToPath, Pod } from "./types";

export interface ObjectFieldSelector {
  apiVersion?: string;
  fieldPath: string;
}

export interface ResourceFieldSelector {
  containerName?: string;
  resource: string;
  divisor?: string;
}

export interface DownwardAPIVolumeFile {
  path: string;
  fieldRef?: ObjectFieldSelector;
  resourceFieldRef?: ResourceFieldSelector;
  mode?: number;
}

export interface DownwardAPIVolumeSource {
  items?: DownwardAPIVolumeFile[];
  defaultMode?: number;
}

export interface ServiceAccountTokenProjection {
  audience?: string;
  expirationSeconds?: number;
  path: string;
}

export interface VolumeProjection {
  serviceAccountToken?: ServiceAccountTokenProjection;
  configMap?: { name?: string; items?: KeyToPath[]; optional?: boolean };
  secret?: { name?: string; items?: KeyToPath[]; optional?: boolean };
  downwardAPI?: { items?: DownwardAPIVolumeFile[] };
  clusterTrustBundle?: unknown;
}

export interface ProjectedVolumeSource {
  sources?: VolumeProjection[] | null;
  defaultMode?: number;
}

type PodVolume = NonNullable<Pod["spec"]["volumes"]>[number];

export function projectedOf(v: PodVolume): ProjectedVolumeSource | undefined {
  const p = v.projected;
  return p && typeof p === "object" && !Array.isArray(p) ? (p as ProjectedVolumeSource) : undefined;
}

export function downwardAPIOf(v: PodVolume): DownwardAPIVolumeSource | undefined {
  const d = v.downwardAPI;
  return d && typeof d === "object" && !Array.isArray(d) ? (d as DownwardAPIVolumeSource) : undefined;
}

/** The projections of a projected volume that are objects (anything else is validation's business). */
export function projectionsOf(v: PodVolume): VolumeProjection[] {
  const sources = projectedOf(v)?.sources;
  return Array.isArray(sources) ? sources.filter((s): s is VolumeProjection => !!s && typeof s === "object") : [];
}
