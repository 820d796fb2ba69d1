// networking.k8s.io/v1 Ingress and IngressClass: HTTP routes from outside the cluster
// (a host and a path) to a Service's port, and the classes that say which controller
// serves an Ingress.
import type { KubeObject } from "./types";

export type PathType = "Exact" | "Prefix" | "ImplementationSpecific";

export interface ServiceBackendPort {
  name?: string;
  number?: number;
}

export interface IngressServiceBackend {
  name: string;
  port?: ServiceBackendPort;
}

export interface TypedLocalObjectReference {
  apiGroup?: string | null;
  kind: string;
  name: string;
}

export interface IngressBackend {
  service?: IngressServiceBackend;
  resource?: TypedLocalObjectReference;
}

export interface HTTPIngressPath {
  path?: string;
  pathType?: PathType | string;
  backend: IngressBackend;
}

export interface IngressRule {
  host?: string;
  http?: { paths: HTTPIngressPath[] };
}

export interface IngressTLS {
  hosts?: string[];
  secretName?: string;
}

export interface IngressLoadBalancerIngress {
  ip?: string;
  hostname?: string;
  ports?: { port: number; protocol: string; error?: string }[];
}

export interface Ingress extends KubeObject {
  apiVersion: "networking.k8s.io/v1";
  kind: "Ingress";
  spec: {
    ingressClassName?: string | null;
    defaultBackend?: IngressBackend;
    tls?: IngressTLS[];
    rules?: IngressRule[];
  };
  status?: { loadBalancer?: { ingress?: IngressLoadBalancerIngress[] } };
}

export interface IngressClassParametersReference {
  apiGroup?: string | null;
  kind: string;
  name: string;
  scope?: "Cluster" | "Namespace" | string | null;
  namespace?: string | null;
}

export interface IngressClass extends KubeObject {
  apiVersion: "networking.k8s.io/v1";
  kind: "IngressClass";
  spec: {
    controller?: string;
    parameters?: IngressClassParametersReference;
  };
}
