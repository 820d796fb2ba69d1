// Namespaces and Nodes: cluster-scoped objects with a spec (so a generation).
import type { Namespace } from "../../model/types";
import { defaultNamespace } from "../defaults";
import type { ResourceStrategy } from "./types";

export const namespaceStrategy: ResourceStrategy = {
  tracksGeneration: true,
  prepareForCreate: (obj) => defaultNamespace(obj as Namespace),
};

export const nodeStrategy: ResourceStrategy = { tracksGeneration: true };
