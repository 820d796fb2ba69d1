// Persistent storage: volumes, the claims pods use to get one, and the classes that
// say how a claim's volume is made.
import { CORE, META, def, kind, str, bool, ref, list, strList, strMap, quantityMap, time, type Definition } from "./dsl";

const C = (n: string) => `${CORE}.${n}`;
const S = (n: string) => `io.k8s.api.storage.v1.${n}`;

/** The sources a PersistentVolume shares with a pod's volumes (volume-sources.ts). */
const PV_SOURCES = {
  nfs: ref(C("NFSVolumeSource"), "An export of an NFS server."),
  iscsi: ref(C("ISCSIPersistentVolumeSource"), "An iSCSI disk."),
  fc: ref(C("FCVolumeSource"), "A Fibre Channel disk."),
  rbd: ref(C("RBDPersistentVolumeSource"), "A Ceph RADOS block device."),
  cephfs: ref(C("CephFSPersistentVolumeSource"), "A CephFS filesystem."),
  glusterfs: ref(C("GlusterfsPersistentVolumeSource"), "A GlusterFS volume."),
  awsElasticBlockStore: ref(C("AWSElasticBlockStoreVolumeSource"), "An AWS EBS disk (deprecated)."),
  gcePersistentDisk: ref(C("GCEPersistentDiskVolumeSource"), "A GCE persistent disk (deprecated)."),
  azureDisk: ref(C("AzureDiskVolumeSource"), "An Azure data disk (deprecated)."),
  azureFile: ref(C("AzureFilePersistentVolumeSource"), "An Azure File share (deprecated)."),
  cinder: ref(C("CinderPersistentVolumeSource"), "An OpenStack Cinder volume (deprecated)."),
  flexVolume: ref(C("FlexPersistentVolumeSource"), "A volume of a FlexVolume driver (deprecated)."),
  flocker: ref(C("FlockerVolumeSource"), "A Flocker dataset (deprecated)."),
  vsphereVolume: ref(C("VsphereVirtualDiskVolumeSource"), "A vSphere virtual disk (deprecated)."),
  photonPersistentDisk: ref(C("PhotonPersistentDiskVolumeSource"), "A Photon Controller disk (removed upstream)."),
  portworxVolume: ref(C("PortworxVolumeSource"), "A Portworx volume (deprecated)."),
  quobyte: ref(C("QuobyteVolumeSource"), "A Quobyte volume (removed upstream)."),
  scaleIO: ref(C("ScaleIOPersistentVolumeSource"), "A ScaleIO volume (removed upstream)."),
  storageos: ref(C("StorageOSPersistentVolumeSource"), "A StorageOS volume (removed upstream)."),
};

const ACCESS_MODES = "How the volume can be mounted: ReadWriteOnce (read-write by the pods of one node at a time), ReadOnlyMany, ReadWriteMany, ReadWriteOncePod (read-write by one pod).";

export const STORAGE_DEFINITIONS: Definition[] = [
  kind("", "v1", "PersistentVolume", C("PersistentVolume"), "A PersistentVolume is a piece of storage in the cluster, made by an administrator or by a provisioner for a claim. It lives independently of any pod that uses it: its data outlives the pods and the nodes they ran on.", {
    spec: ref(C("PersistentVolumeSpec"), "What the volume is: its size, access modes, source and what happens to it when its claim goes."),
    status: ref(C("PersistentVolumeStatus"), "The most recently observed state of the volume, written by the persistent volume controller. Read-only."),
  }),
  def(C("PersistentVolumeSpec"), "The description of a PersistentVolume.", {
    capacity: quantityMap("The volume's resources; \"storage\" is its size, e.g. 1Gi."),
    accessModes: strList(ACCESS_MODES),
    claimRef: ref(C("ObjectReference"), "The claim bound to this volume: one half of the two-way binding (the claim's volumeName is the other). Set by the controller, or by hand to reserve the volume for one claim."),
    persistentVolumeReclaimPolicy: str("What happens to the volume when its claim is deleted: Retain (kept, Released, until an administrator deals with it; the default for volumes made by hand), Delete (deleted with its data; the default for provisioned volumes) or Recycle (deprecated).", ["Delete", "Recycle", "Retain"]),
    storageClassName: str("The StorageClass the volume belongs to; only claims of that class bind to it. Empty: no class."),
    volumeMode: str("Filesystem (the default: mounted as a directory) or Block (a raw device).", ["Block", "Filesystem"]),
    mountOptions: strList("Mount options used when the volume is mounted on a node."),
    volumeAttributesClassName: str("A VolumeAttributesClass the volume belongs to (not modelled)."),
    csi: ref(C("CSIPersistentVolumeSource"), "A volume served by a Container Storage Interface driver: what provisioned volumes of this cluster are."),
    nodeAffinity: ref(C("VolumeNodeAffinity"), "The nodes the volume can be reached from; pods using it are scheduled onto them."),
    hostPath: ref(C("HostPathVolumeSource"), "A directory of one node, for single-node testing only."),
    local: ref(C("LocalVolumeSource"), "A disk, partition or directory of one node (needs nodeAffinity)."),
    ...PV_SOURCES,
  }),
  def(C("VolumeNodeAffinity"), "The nodes a PersistentVolume can be used from.", {
    required: ref(C("NodeSelector"), "Nodes the volume is reachable from: a pod using it may only run on them."),
  }),
  def(C("CSIPersistentVolumeSource"), "A volume of a CSI driver.", {
    driver: str("The name of the driver, e.g. edgekube.dev/volume."),
    volumeHandle: str("The volume's identity at the driver."),
    readOnly: bool("Mount it read-only."),
    fsType: str("The filesystem type to mount, e.g. ext4."),
    volumeAttributes: strMap("Attributes the driver gave the volume when it made it."),
    controllerPublishSecretRef: ref(C("SecretReference"), "A Secret passed to the driver when it attaches the volume to a node."),
    nodeStageSecretRef: ref(C("SecretReference"), "A Secret passed to the driver when it stages the volume on a node."),
    nodePublishSecretRef: ref(C("SecretReference"), "A Secret passed to the driver when it mounts the volume for a pod."),
    controllerExpandSecretRef: ref(C("SecretReference"), "A Secret passed to the driver when it expands the volume."),
    nodeExpandSecretRef: ref(C("SecretReference"), "A Secret passed to the driver when it grows the filesystem on a node."),
  }, { required: ["driver", "volumeHandle"] }),
  def(C("PersistentVolumeStatus"), "The observed state of a PersistentVolume.", {
    phase: str("Pending (not yet available), Available (free for a claim), Bound (bound to a claim), Released (its claim was deleted; not yet reclaimed) or Failed (reclaiming failed).", ["Available", "Bound", "Failed", "Pending", "Released"]),
    message: str("Why the volume is in this phase, for people."),
    reason: str("A short CamelCase reason for a failure."),
    lastPhaseTransitionTime: time("When the volume last changed phase."),
  }),
  kind("", "v1", "PersistentVolumeClaim", C("PersistentVolumeClaim"), "A PersistentVolumeClaim is a request for storage by a user: a size, access modes and a class. The cluster binds it to a PersistentVolume (provisioning one when the class says how), and pods mount the claim by name.", {
    spec: ref(C("PersistentVolumeClaimSpec"), "What the claim asks for. Cannot change after creation, except a bigger storage request where the class allows expansion."),
    status: ref(C("PersistentVolumeClaimStatus"), "The most recently observed state of the claim. Read-only."),
  }),
  def(C("PersistentVolumeClaimSpec"), "What a PersistentVolumeClaim asks for.", {
    accessModes: strList(ACCESS_MODES),
    selector: ref(`${META}.LabelSelector`, "Only volumes with these labels may be bound to the claim."),
    resources: ref(C("VolumeResourceRequirements"), "The least the volume must have: requests.storage is the size asked for."),
    volumeName: str("The PersistentVolume bound to the claim: set by the controller when it binds, or by hand to ask for one volume."),
    storageClassName: str("The StorageClass to take the volume from. Left out: the cluster's default class. \"\": no class, only volumes without one."),
    volumeMode: str("Filesystem (the default) or Block.", ["Block", "Filesystem"]),
    volumeAttributesClassName: str("A VolumeAttributesClass for the volume (not modelled)."),
    dataSource: ref(C("TypedLocalObjectReference"), "Fill the new volume from this object in the claim's namespace: a VolumeSnapshot or another PersistentVolumeClaim (a clone). Kept equal to dataSourceRef when that is one of those."),
    dataSourceRef: ref(C("TypedObjectReference"), "Fill the new volume from this object, which may be of any kind a populator handles, or in another namespace (with a ReferenceGrant)."),
  }),
  def(C("TypedLocalObjectReference"), "A reference to an object of a given kind in the same namespace.", {
    apiGroup: str("The object's API group; empty for the core group."),
    kind: str("The object's kind."),
    name: str("The object's name."),
  }, { required: ["kind", "name"], atomic: true }),
  def(C("TypedObjectReference"), "A reference to an object of a given kind, possibly in another namespace.", {
    apiGroup: str("The object's API group; empty for the core group."),
    kind: str("The object's kind."),
    name: str("The object's name."),
    namespace: str("The object's namespace; another namespace than the claim's needs a ReferenceGrant there."),
  }, { required: ["kind", "name"] }),
  def(C("VolumeResourceRequirements"), "How much storage a claim needs.", {
    requests: quantityMap("The least the volume must hold: storage, e.g. 1Gi."),
    limits: quantityMap("The most it may hold."),
  }),
  def(C("PersistentVolumeClaimStatus"), "The observed state of a PersistentVolumeClaim.", {
    phase: str("Pending (not bound yet), Bound (bound to a volume) or Lost (its volume is gone).", ["Bound", "Lost", "Pending"]),
    accessModes: strList("The access modes the bound volume has."),
    capacity: quantityMap("The bound volume's resources: storage is its actual size."),
    conditions: list(C("PersistentVolumeClaimCondition"), "Conditions of the claim, e.g. Resizing."),
  }),
  def(C("PersistentVolumeClaimCondition"), "One condition of a PersistentVolumeClaim.", {
    type: str("The condition, e.g. Resizing or FileSystemResizePending."),
    status: str("True, False or Unknown."),
    reason: str("A short CamelCase reason for its last change."),
    message: str("A human-readable explanation."),
    lastProbeTime: time("When the condition was last checked."),
    lastTransitionTime: time("When its status last changed."),
  }, { required: ["type", "status"] }),
  kind("storage.k8s.io", "v1", "StorageClass", S("StorageClass"), "A StorageClass describes a kind of storage: which provisioner makes its volumes, with which parameters, what happens to them when released, and when claims are bound. A claim names its class; one class may be marked the default for claims that name none.", {
    provisioner: str("The provisioner that makes volumes of this class, e.g. edgekube.dev/volume. Cannot be changed."),
    parameters: strMap("Parameters for the provisioner. Cannot be changed."),
    reclaimPolicy: str("The reclaim policy of the volumes it provisions: Delete (the default) or Retain. Cannot be changed.", ["Delete", "Retain"]),
    mountOptions: strList("Mount options of the volumes it provisions."),
    allowVolumeExpansion: bool("Whether a claim of this class may ask for more storage after it was created."),
    volumeBindingMode: str("When claims are bound and provisioned: Immediate (the default: as soon as the claim exists) or WaitForFirstConsumer (once a pod using it is scheduled, so the volume can be made where the pod runs). Cannot be changed.", ["Immediate", "WaitForFirstConsumer"]),
    allowedTopologies: list(C("TopologySelectorTerm"), "Where its volumes may be provisioned, by node topology labels; anywhere when empty. Cannot be changed."),
  }),
  def(C("TopologySelectorTerm"), "Topology domains, by label requirements that must all hold.", {
    matchLabelExpressions: list(C("TopologySelectorLabelRequirement"), "Requirements on topology labels."),
  }, { atomic: true }),
  def(C("TopologySelectorLabelRequirement"), "A topology label and the values it may take.", {
    key: str("The label key, e.g. topology.kubernetes.io/zone."),
    values: strList("The values it may have (ORed)."),
  }, { required: ["key", "values"] }),
];
