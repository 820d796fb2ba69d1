// Ingresses: HTTP routes from outside the cluster to Services, and the classes that
// say which ingress controller serves them.
import { def, kind, int32, list, ref, str, strList, type Definition } from "./dsl";

const N = (n: string) => `io.k8s.api.networking.v1.${n}`;

export const NETWORKING_DEFINITIONS: Definition[] = [
  kind("networking.k8s.io", "v1", "Ingress", N("Ingress"), "An Ingress routes HTTP requests from outside the cluster to Services by host and path. An ingress controller (the one its class names) serves it; here the Worker itself routes the requests for the cluster's own class.", {
    spec: ref(N("IngressSpec"), "The routes: rules by host and path, a default backend, TLS hosts."),
    status: ref(N("IngressStatus"), "Where the Ingress is reached, written by its controller. Read-only."),
  }),
  def(N("IngressSpec"), "What an Ingress routes and where.", {
    ingressClassName: str("The IngressClass that serves this Ingress. Left out: the cluster's default class is filled in when the Ingress is created."),
    defaultBackend: ref(N("IngressBackend"), "Where a request that matches no rule goes. Without it, such requests get 404."),
    tls: list(N("IngressTLS"), "TLS configuration: which hosts are served over HTTPS and the Secret with their certificate."),
    rules: list(N("IngressRule"), "Host rules; a request is matched against them in order of specificity (exact host, then wildcard, then rules without a host)."),
  }),
  def(N("IngressTLS"), "The hosts one TLS certificate serves.", {
    hosts: strList("Hosts in the certificate; they must match the rules' hosts. Left out: the controller's default."),
    secretName: str("A kubernetes.io/tls Secret holding the certificate and key."),
  }),
  def(N("IngressRule"), "The paths served for one host.", {
    host: str("A fully qualified domain name (not an IP), or a wildcard \"*.foo.com\" standing for exactly one DNS label. Left out: every host that no other rule names."),
    http: ref(N("HTTPIngressRuleValue"), "The HTTP paths of this host."),
  }),
  def(N("HTTPIngressRuleValue"), "A list of HTTP paths, each with a backend.", {
    paths: list(N("HTTPIngressPath"), "The paths; the longest one that matches wins."),
  }, { required: ["paths"] }),
  def(N("HTTPIngressPath"), "One path and the backend it reaches.", {
    path: str("The path, starting with \"/\"."),
    pathType: str("How the path matches: Exact (the whole path, case-sensitive), Prefix (by \"/\"-separated elements: /foo matches /foo and /foo/bar but not /foobar) or ImplementationSpecific (up to the controller; a prefix here).", ["Exact", "ImplementationSpecific", "Prefix"]),
    backend: ref(N("IngressBackend"), "Where matching requests go."),
  }, { required: ["pathType", "backend"] }),
  def(N("IngressBackend"), "Where requests go: a Service's port, or another resource.", {
    service: ref(N("IngressServiceBackend"), "A Service of the Ingress's namespace. Mutually exclusive with resource."),
    resource: ref("io.k8s.api.core.v1.TypedLocalObjectReference", "Another object of the Ingress's namespace (e.g. a storage bucket). Mutually exclusive with service."),
  }),
  def(N("IngressServiceBackend"), "A Service and one of its ports.", {
    name: str("The Service's name."),
    port: ref(N("ServiceBackendPort"), "The Service's port, by number or by name."),
  }, { required: ["name"] }),
  def(N("ServiceBackendPort"), "A port of a Service, by name or number (one of the two).", {
    name: str("The port's name."),
    number: int32("The port's number."),
  }),
  def(N("IngressStatus"), "The observed state of an Ingress.", {
    loadBalancer: ref(N("IngressLoadBalancerStatus"), "Where the Ingress is reached."),
  }),
  def(N("IngressLoadBalancerStatus"), "The addresses an Ingress is reached at.", {
    ingress: list(N("IngressLoadBalancerIngress"), "One entry per address."),
  }),
  def(N("IngressLoadBalancerIngress"), "One address of an Ingress.", {
    ip: str("An IP address."),
    hostname: str("A DNS name."),
    ports: list(N("IngressPortStatus"), "The ports it listens on."),
  }),
  def(N("IngressPortStatus"), "The state of one port of an Ingress's address.", {
    port: int32("The port number."),
    protocol: str("TCP, UDP or SCTP.", ["SCTP", "TCP", "UDP"]),
    error: str("Why the port has a problem, if it has one."),
  }, { required: ["port", "protocol"] }),
  kind("networking.k8s.io", "v1", "IngressClass", N("IngressClass"), "An IngressClass names the controller that serves the Ingresses of this class. The annotation ingressclass.kubernetes.io/is-default-class: \"true\" makes it the class of Ingresses that name none.", {
    spec: ref(N("IngressClassSpec"), "The controller and its parameters."),
  }),
  def(N("IngressClassSpec"), "Which controller serves a class.", {
    controller: str("The controller's name, a domain-prefixed path such as \"example.com/ingress-controller\" (here edgekube.dev/ingress). Cannot be changed."),
    parameters: ref(N("IngressClassParametersReference"), "An object with more configuration for the controller."),
  }),
  def(N("IngressClassParametersReference"), "A reference to an object with a class's parameters.", {
    apiGroup: str("The group of the object's kind; left out for the core group."),
    kind: str("The kind of the object."),
    name: str("The name of the object."),
    scope: str("Cluster (the default) or Namespace.", ["Cluster", "Namespace"]),
    namespace: str("The object's namespace, when scope is Namespace."),
  }, { required: ["kind", "name"] }),
];
