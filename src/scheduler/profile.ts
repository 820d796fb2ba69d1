// The default profile, as upstream's default plugin set (apis/config/v1
// default_plugins.go) restricted to what edgekube models: filters in upstream
// order (the first rejection decides a node's reason, so the order shapes the
// FailedScheduling message) and score weights TaintToleration 3, NodeAffinity 2,
// NodeResourcesFit 1, NodeResourcesBalancedAllocation 1, ImageLocality 1.
// VolumeBinding comes after the resource filters, as upstream (claims must be bound).
// Not modelled: the other volume plugins (limits, zones), PodTopologySpread, InterPodAffinity.

import type { Profile } from "./framework";
import { ImageLocality } from "./plugins/image-locality";
import { NodeAffinity } from "./plugins/node-affinity";
import { NodeName } from "./plugins/node-name";
import { NodePorts } from "./plugins/node-ports";
import { NodeResourcesBalancedAllocation } from "./plugins/node-resources-balanced-allocation";
import { NodeResourcesFit, type ScoringStrategy } from "./plugins/node-resources-fit";
import { NodeUnschedulable } from "./plugins/node-unschedulable";
import { TaintToleration } from "./plugins/taint-toleration";
import { VolumeBinding } from "./plugins/volume-binding";

export function defaultProfile(scoringStrategy: ScoringStrategy = "LeastAllocated"): Profile {
  const taints = new TaintToleration();
  const affinity = new NodeAffinity();
  const fit = new NodeResourcesFit(scoringStrategy);
  return {
    filters: [new NodeUnschedulable(), new NodeName(), taints, affinity, new NodePorts(), fit, new VolumeBinding()],
    scores: [
      { plugin: taints, weight: 3 },
      { plugin: affinity, weight: 2 },
      { plugin: fit, weight: 1 },
      { plugin: new NodeResourcesBalancedAllocation(), weight: 1 },
      { plugin: new ImageLocality(), weight: 1 },
    ],
  };
}
