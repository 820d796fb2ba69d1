// Plugin names exactly as upstream registers them (pkg/scheduler/framework/plugins/names):
// they appear in explanations, in UnschedulablePlugins and in the queue's event map.
export const NodeUnschedulableName = "NodeUnschedulable";
export const NodeNameName = "NodeName";
export const TaintTolerationName = "TaintToleration";
export const NodeAffinityName = "NodeAffinity";
export const NodePortsName = "NodePorts";
export const NodeResourcesFitName = "NodeResourcesFit";
export const NodeResourcesBalancedAllocationName = "NodeResourcesBalancedAllocation";
export const ImageLocalityName = "ImageLocality";
export const VolumeBindingName = "VolumeBinding";
