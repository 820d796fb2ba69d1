// The node's image store: pulling resolves a reference against the catalog (failing
// as the flavour's registry client would) and records the image in storage, keyed by
// its config digest, with every tag it was pulled as.
import { isLatest, resolveImage, type ResolvedImage } from "../images";
import { CriError } from "./errors";
import type { RuntimeFlavour } from "./flavours";
import { KEYS, type ImageRecord } from "./records";
import type { RuntimeStorage } from "./storage";
import type { Image, ImageService } from "./cri";

function toImage(r: ImageRecord): Image {
  return { id: r.id, repoTags: r.tags.map((t) => `${r.repository}:${t}`), repoDigests: [r.repoDigest], size: r.size, pulledAt: r.pulledAt };
}

export class ModelImageService implements ImageService {
  constructor(
    private readonly storage: RuntimeStorage,
    private readonly flavour: RuntimeFlavour,
    private readonly now: () => number,
  ) {}

  /** Catalog resolution, with the errors a pull would give. */
  resolve(ref: string): ResolvedImage {
    // An image ID ("sha256:..." or bare hex) is not a pullable name; callers look those up.
    const r = resolveImage(ref);
    if (r.ok) return r.image;
    if (r.reason === "invalid") throw new CriError("InvalidArgument", `failed to pull and unpack image "${ref}": ${r.message}`, "InvalidImageName");
    throw this.flavour.pullError(r.ref, r.reason);
  }

  async pullImage(ref: string): Promise<string> {
    const img = this.resolve(ref);
    const key = KEYS.image(img.id);
    const existing = await this.storage.get<ImageRecord>(key);
    const tag = img.ref.digest ? undefined : img.tag;
    const rec: ImageRecord = existing ?? {
      id: img.id,
      repository: img.repository,
      tags: [],
      repoDigest: img.repoDigest,
      size: img.config.sizeBytes,
      pulledAt: this.now(),
    };
    if (tag && !rec.tags.includes(tag)) rec.tags.push(tag);
    rec.pulledAt = this.now();
    await this.storage.put(key, rec);
    return img.repoDigest;
  }

  /** The stored record a reference names: by tag, by digest, or by image ID. */
  async find(ref: string): Promise<{ record: ImageRecord; image: ResolvedImage } | null> {
    const all = await this.storage.list<ImageRecord>(KEYS.images);
    const byId = ref.startsWith("sha256:") ? ref : /^[0-9a-f]{64}$/.test(ref) ? `sha256:${ref}` : undefined;
    if (byId) {
      const rec = all.get(KEYS.image(byId));
      if (!rec) return null;
      const r = resolveImage(rec.tags.length ? `${rec.repository}:${rec.tags[0]}` : rec.repoDigest);
      return r.ok ? { record: rec, image: r.image } : null;
    }
    const r = resolveImage(ref);
    if (!r.ok) return null;
    const rec = all.get(KEYS.image(r.image.id));
    if (!rec) return null;
    // Pulled as nginx:1.27 does not make nginx:latest present, even when they are the same image.
    if (!r.image.ref.digest && !rec.tags.includes(r.image.tag)) return null;
    return { record: rec, image: r.image };
  }

  async imageStatus(ref: string): Promise<Image | null> {
    const found = await this.find(ref);
    return found ? toImage(found.record) : null;
  }

  async listImages(): Promise<Image[]> {
    const all = await this.storage.list<ImageRecord>(KEYS.images);
    return [...all.values()].map(toImage);
  }

  async removeImage(ref: string): Promise<void> {
    const found = await this.find(ref);
    if (found) await this.storage.delete(KEYS.image(found.record.id));
  }

  isLatest(ref: string): boolean {
    return isLatest(ref);
  }
}

