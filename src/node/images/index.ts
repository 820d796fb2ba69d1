// The image catalog: which repositories and tags exist, and what a reference resolves to.
// A reference that names no repository here, or a tag the repository does not have,
// fails to pull as it would against a registry.
import { agnhostRepo } from "./agnhost";
import { bootcampV1, bootcampV2 } from "./bootcamp";
import { busybox, k8sBusybox } from "./busybox";
import { crasherRepo } from "./crasher";
import { fluentdElasticsearch } from "./fluentd";
import { sha256Hex } from "./digest";
import { etcdRepo } from "./etcd";
import { goproxyRepo } from "./goproxy";
import { hpaExample } from "./hpa-example";
import { helloAppRepo } from "./hello-app";
import { nginx } from "./nginx";
import { redis } from "./redis";
import { InvalidReferenceError, parseImageRef, type ImageRef } from "./ref";
import type { ImageConfig, ImageRepository } from "./types";

const REPOSITORIES: readonly ImageRepository[] = [bootcampV1, bootcampV2, nginx, busybox, redis, crasherRepo, k8sBusybox, agnhostRepo, goproxyRepo, etcdRepo, fluentdElasticsearch, hpaExample, helloAppRepo];

export interface ResolvedImage {
  ref: ImageRef;
  repository: string;
  /** The tag the reference named (or, for a digest reference, the tag with that digest). */
  tag: string;
  config: ImageConfig;
  /** Manifest digest, "sha256:<hex>": identical for every alias of one image. */
  digest: string;
  /** Config digest, "sha256:<hex>": what `crictl images` calls the IMAGE ID. */
  id: string;
  /** repository@digest: the `imageID` of a container status. */
  repoDigest: string;
  /** repository:tag */
  repoTag: string;
}

type ResolveResult =
  | { ok: true; image: ResolvedImage }
  | { ok: false; reason: "invalid"; message: string }
  | { ok: false; reason: "repository" | "tag"; ref: ImageRef };

const configs = new Map<string, ImageConfig>();

function configOf(repo: ImageRepository, tag: string): ImageConfig {
  const key = `${repo.repository}:${tag}`;
  let c = configs.get(key);
  if (!c) {
    c = repo.image(tag);
    configs.set(key, c);
  }
  return c;
}

/** An image's digest and ID, hashed once per image: each pod start resolves its images again. */
const hashes = new WeakMap<ImageConfig, { digest: string; id: string }>();

function hashesOf(config: ImageConfig): { digest: string; id: string } {
  let h = hashes.get(config);
  if (!h) {
    h = { digest: config.digest ?? `sha256:${sha256Hex(`manifest:${config.canonical}`)}`, id: `sha256:${sha256Hex(`config:${config.canonical}`)}` };
    hashes.set(config, h);
  }
  return h;
}

function digestOf(config: ImageConfig): string {
  return hashesOf(config).digest;
}

function build(ref: ImageRef, repo: ImageRepository, tag: string): ResolvedImage {
  const config = configOf(repo, tag);
  const digest = digestOf(config);
  return {
    ref,
    repository: repo.repository,
    tag,
    config,
    digest,
    id: hashesOf(config).id,
    repoDigest: `${repo.repository}@${digest}`,
    repoTag: `${repo.repository}:${tag}`,
  };
}

export function resolveImage(input: string): ResolveResult {
  let ref: ImageRef;
  try {
    ref = parseImageRef(input);
  } catch (e) {
    if (e instanceof InvalidReferenceError) return { ok: false, reason: "invalid", message: e.message };
    throw e;
  }
  const repo = REPOSITORIES.find((r) => r.repository === ref.repository);
  if (!repo) return { ok: false, reason: "repository", ref };
  if (ref.digest) {
    const tag = repo.tags.find((t) => digestOf(configOf(repo, t)) === ref.digest);
    return tag ? { ok: true, image: build(ref, repo, tag) } : { ok: false, reason: "tag", ref };
  }
  if (!repo.tags.includes(ref.tag!)) return { ok: false, reason: "tag", ref };
  return { ok: true, image: build(ref, repo, ref.tag!) };
}

export { parseImageRef, isLatest } from "./ref";
