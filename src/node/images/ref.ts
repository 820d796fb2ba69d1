// Image references the way containerd and the kubelet normalise them:
//   nginx                      -> docker.io/library/nginx:latest
//   jocatalin/kubernetes-bootcamp:v2 -> docker.io/jocatalin/kubernetes-bootcamp:v2
//   gcr.io/google-samples/kubernetes-bootcamp:v1 stays as it is
//   busybox@sha256:...         -> docker.io/library/busybox@sha256:...

export interface ImageRef {
  /** Registry host: "docker.io", "gcr.io", "localhost:5000". */
  domain: string;
  /** Path inside the registry: "library/nginx". */
  path: string;
  /** domain/path */
  repository: string;
  tag?: string;
  /** "sha256:<64 hex>" */
  digest?: string;
  /** repository:tag or repository@digest, tag defaulting to latest. */
  normalized: string;
}

export class InvalidReferenceError extends Error {}

const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

export function parseImageRef(input: string): ImageRef {
  const ref = input.trim();
  if (!ref) throw new InvalidReferenceError("invalid reference format");
  let name = ref;
  let digest: string | undefined;
  const at = name.indexOf("@");
  if (at >= 0) {
    digest = name.slice(at + 1);
    name = name.slice(0, at);
    if (!DIGEST_RE.test(digest)) throw new InvalidReferenceError("invalid reference format");
  }
  let tag: string | undefined;
  const colon = name.lastIndexOf(":");
  if (colon > name.lastIndexOf("/")) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
    if (!TAG_RE.test(tag)) throw new InvalidReferenceError("invalid reference format");
  }
  const slash = name.indexOf("/");
  let domain = "docker.io";
  let path = name;
  if (slash >= 0) {
    const first = name.slice(0, slash);
    if (first.includes(".") || first.includes(":") || first === "localhost") {
      domain = first;
      path = name.slice(slash + 1);
    }
  }
  if (domain === "index.docker.io") domain = "docker.io";
  if (domain === "docker.io" && !path.includes("/")) path = `library/${path}`;
  if (path !== path.toLowerCase()) {
    throw new InvalidReferenceError(`invalid reference format: repository name (${path}) must be lowercase`);
  }
  if (!path.split("/").every((c) => PATH_COMPONENT_RE.test(c))) {
    throw new InvalidReferenceError("invalid reference format");
  }
  const repository = `${domain}/${path}`;
  if (!tag && !digest) tag = "latest";
  const normalized = digest ? `${repository}@${digest}` : `${repository}:${tag}`;
  return { domain, path, repository, tag, digest, normalized };
}

/** `:latest` or no tag (and no digest): the kubelet pulls these Always by default. */
export function isLatest(ref: string): boolean {
  try {
    const r = parseImageRef(ref);
    return !r.digest && r.tag === "latest";
  } catch {
    return false;
  }
}
