// Adoption and release (upstream ControllerRefManager.ClaimObject): a controller owns
// what carries its controller reference; it adopts orphans its selector matches and
// releases what it owns but no longer matches. Pure: returns the objects to write.
import type { KubeObject } from "../model/types";
import type { LabelRequirement } from "../model/selectors";
import { matchesLabels } from "../model/selectors";
import { controllerRef, newControllerRef } from "./pod-state";

interface Claim<T extends KubeObject> {
  /** Ours after this claim (including the adopted ones, as they will be written). */
  owned: T[];
  /** Orphans to adopt: copies with our controller reference added. */
  adopt: T[];
  /** Ours but not matching any more: copies without our reference. */
  release: T[];
}

export function claimObjects<T extends KubeObject>(owner: KubeObject, selector: LabelRequirement[] | null, candidates: T[]): Claim<T> {
  const uid = owner.metadata.uid;
  const ownerDeleting = !!owner.metadata.deletionTimestamp;
  const out: Claim<T> = { owned: [], adopt: [], release: [] };
  for (const obj of candidates) {
    const ref = controllerRef(obj);
    const matches = matchesLabels(selector, obj.metadata.labels);
    if (ref) {
      if (ref.uid !== uid) continue; // another controller's
      if (matches) {
        out.owned.push(obj);
        continue;
      }
      if (ownerDeleting) continue; // a controller going away releases nothing
      const released = structuredClone(obj);
      released.metadata.ownerReferences = obj.metadata.ownerReferences!.filter((o) => o.uid !== uid);
      if (released.metadata.ownerReferences.length === 0) delete released.metadata.ownerReferences;
      out.release.push(released);
      continue;
    }
    // An orphan: adopt it unless either side is going away.
    if (ownerDeleting || obj.metadata.deletionTimestamp || !matches) continue;
    const adopted = structuredClone(obj);
    adopted.metadata.ownerReferences = [...(obj.metadata.ownerReferences ?? []), newControllerRef(owner)];
    out.adopt.push(adopted);
    out.owned.push(adopted);
  }
  return out;
}
