// A pod's volumes: the Volume and each source it may name. The sources a pod makes
// from the cluster's own objects (emptyDir, configMap, secret, projected, downwardAPI,
// persistentVolumeClaim, ephemeral, csi, image, hostPath) are here; storage outside
// the cluster (nfs, iscsi, cloud disks...) is in volume-sources.ts.
import { CORE, META, QUANTITY, def, str, bool, int32, int64, ref, list, strMap, type Definition } from "./dsl";

const C = (n: string) => `${CORE}.${n}`;

const DEFAULT_MODE = "Permission bits of the files made, as an octal number in YAML (0644) or decimal in JSON (420); 0644 by default. Directories are not affected; a file's own mode wins.";
const ITEMS = "Which keys become files, and under which paths; every key, named after itself, by default. Naming a key that does not exist is an error unless optional.";

export const VOLUME_DEFINITIONS: Definition[] = [
  def(C("Volume"), "A named volume of a pod, and where its data comes from: exactly one source.", {
    name: str("The volume's name, a DNS label unique in the pod; containers mount it by this name."),
    emptyDir: ref(C("EmptyDirVolumeSource"), "A directory that starts empty and lives as long as the pod: scratch space shared by its containers."),
    configMap: ref(C("ConfigMapVolumeSource"), "Files made from the keys of a ConfigMap, updated when it changes."),
    secret: ref(C("SecretVolumeSource"), "Files made from the keys of a Secret, updated when it changes."),
    projected: ref(C("ProjectedVolumeSource"), "One directory combining several sources: ServiceAccount tokens, ConfigMaps, Secrets, the downward API, cluster trust bundles."),
    downwardAPI: ref(C("DownwardAPIVolumeSource"), "Files holding the pod's own fields (labels, annotations, name...) and its containers' resources."),
    hostPath: ref(C("HostPathVolumeSource"), "A file or directory of the node. Ties the pod to its node's contents: mostly for system agents."),
    persistentVolumeClaim: ref(C("PersistentVolumeClaimVolumeSource"), "Storage claimed by a PersistentVolumeClaim in the pod's namespace."),
    ephemeral: ref(C("EphemeralVolumeSource"), "A PersistentVolumeClaim made for this pod from a template, and deleted with it."),
    csi: ref(C("CSIVolumeSource"), "An inline volume of a CSI driver that supports them, living as long as the pod."),
    image: ref(C("ImageVolumeSource"), "The files of an OCI image or artifact, mounted read-only."),
    nfs: ref(C("NFSVolumeSource"), "An export of an NFS server."),
    iscsi: ref(C("ISCSIVolumeSource"), "An iSCSI disk."),
    fc: ref(C("FCVolumeSource"), "A Fibre Channel disk."),
    rbd: ref(C("RBDVolumeSource"), "A Ceph RADOS block device."),
    cephfs: ref(C("CephFSVolumeSource"), "A CephFS filesystem."),
    glusterfs: ref(C("GlusterfsVolumeSource"), "A GlusterFS volume."),
    awsElasticBlockStore: ref(C("AWSElasticBlockStoreVolumeSource"), "An AWS EBS disk (deprecated)."),
    gcePersistentDisk: ref(C("GCEPersistentDiskVolumeSource"), "A GCE persistent disk (deprecated)."),
    azureDisk: ref(C("AzureDiskVolumeSource"), "An Azure data disk (deprecated)."),
    azureFile: ref(C("AzureFileVolumeSource"), "An Azure File share (deprecated)."),
    cinder: ref(C("CinderVolumeSource"), "An OpenStack Cinder volume (deprecated)."),
    flexVolume: ref(C("FlexVolumeSource"), "A volume of a FlexVolume driver (deprecated)."),
    flocker: ref(C("FlockerVolumeSource"), "A Flocker dataset (deprecated)."),
    vsphereVolume: ref(C("VsphereVirtualDiskVolumeSource"), "A vSphere virtual disk (deprecated)."),
    photonPersistentDisk: ref(C("PhotonPersistentDiskVolumeSource"), "A Photon Controller disk (removed upstream)."),
    portworxVolume: ref(C("PortworxVolumeSource"), "A Portworx volume (deprecated)."),
    quobyte: ref(C("QuobyteVolumeSource"), "A Quobyte volume (removed upstream)."),
    scaleIO: ref(C("ScaleIOVolumeSource"), "A ScaleIO volume (removed upstream)."),
    storageos: ref(C("StorageOSVolumeSource"), "A StorageOS volume (removed upstream)."),
    gitRepo: ref(C("GitRepoVolumeSource"), "A git clone made when the pod starts (deprecated)."),
  }, { required: ["name"] }),
  def(C("EmptyDirVolumeSource"), "A pod's scratch directory.", {
    medium: str("Where it is stored: \"\" for the node's disk (the default), Memory for a tmpfs counted against the containers' memory."),
    sizeLimit: ref(QUANTITY, "The most it may hold; the pod is evicted when it holds more."),
  }),
  def(C("ConfigMapVolumeSource"), "A ConfigMap as files: one file per key unless items picks some.", {
    name: str("Name of the ConfigMap, in the pod's namespace."),
    items: list(C("KeyToPath"), ITEMS),
    defaultMode: int32(DEFAULT_MODE),
    optional: bool("Whether the ConfigMap (or a key named in items) may be missing."),
  }),
  def(C("SecretVolumeSource"), "A Secret as files: one file per key unless items picks some.", {
    secretName: str("Name of the Secret, in the pod's namespace."),
    items: list(C("KeyToPath"), ITEMS),
    defaultMode: int32(DEFAULT_MODE),
    optional: bool("Whether the Secret (or a key named in items) may be missing."),
  }),
  def(C("KeyToPath"), "A key projected to a file.", {
    key: str("The key."),
    path: str("The file's path relative to the volume; must not be absolute nor contain '..'."),
    mode: int32("Permission bits of this file (0-0777), instead of the volume's defaultMode."),
  }, { required: ["key", "path"] }),
  def(C("HostPathVolumeSource"), "A path on the node.", {
    path: str("The path on the node; a symbolic link is followed to what it points at."),
    type: str("What must be there before the pod starts: \"\" (no check, the default), DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice or BlockDevice.", ["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"]),
  }, { required: ["path"] }),
  def(C("PersistentVolumeClaimVolumeSource"), "A reference to a PersistentVolumeClaim.", {
    claimName: str("Name of the claim in the pod's namespace."),
    readOnly: bool("Mount it read-only. Defaults to false."),
  }, { required: ["claimName"] }),
  def(C("ProjectedVolumeSource"), "Several sources projected into one directory.", {
    sources: list(C("VolumeProjection"), "The sources, each one of serviceAccountToken, configMap, secret, downwardAPI or clusterTrustBundle. Their paths must not collide."),
    defaultMode: int32(DEFAULT_MODE),
  }),
  def(C("VolumeProjection"), "One source of a projected volume: exactly one of its fields.", {
    serviceAccountToken: ref(C("ServiceAccountTokenProjection"), "A token of the pod's ServiceAccount, bound to the pod and refreshed before it expires."),
    configMap: ref(C("ConfigMapProjection"), "Keys of a ConfigMap."),
    secret: ref(C("SecretProjection"), "Keys of a Secret."),
    downwardAPI: ref(C("DownwardAPIProjection"), "Fields of the pod and resources of its containers."),
    clusterTrustBundle: ref(C("ClusterTrustBundleProjection"), "Certificates of ClusterTrustBundles, concatenated in one file."),
  }),
  def(C("ServiceAccountTokenProjection"), "A ServiceAccount token written to a file: a JWT for the pod's ServiceAccount, valid while the pod exists, which the kubelet renews once 80% of its life (or 24 hours) has passed.", {
    path: str("The file's path relative to the volume."),
    audience: str("Who the token is meant for (its aud claim); a recipient must reject a token not meant for it. Defaults to the API server's audiences."),
    expirationSeconds: int64("How long, in seconds, the token is valid for. At least 600 (10 minutes); defaults to 3600 (1 hour)."),
  }, { required: ["path"] }),
  def(C("ConfigMapProjection"), "The keys of a ConfigMap in a projected volume.", {
    name: str("Name of the ConfigMap, in the pod's namespace."),
    items: list(C("KeyToPath"), ITEMS),
    optional: bool("Whether the ConfigMap (or a key named in items) may be missing."),
  }),
  def(C("SecretProjection"), "The keys of a Secret in a projected volume.", {
    name: str("Name of the Secret, in the pod's namespace."),
    items: list(C("KeyToPath"), ITEMS),
    optional: bool("Whether the Secret (or a key named in items) may be missing."),
  }),
  def(C("DownwardAPIProjection"), "Downward API files in a projected volume.", {
    items: list(C("DownwardAPIVolumeFile"), "The files, each holding one field of the pod or one resource of a container."),
  }),
  def(C("ClusterTrustBundleProjection"), "The certificates of one ClusterTrustBundle (by name) or of those a signer and a label selector pick, written to one file.", {
    name: str("The ClusterTrustBundle's name; not together with signerName and labelSelector."),
    signerName: str("Take the bundles of this signer (that labelSelector also matches)."),
    labelSelector: ref(`${META}.LabelSelector`, "With signerName: only bundles with these labels. Unset matches none, empty matches all."),
    optional: bool("Whether the pod may start when no bundle is found; the file is then absent."),
    path: str("The file's path relative to the volume."),
  }, { required: ["path"] }),
  def(C("DownwardAPIVolumeSource"), "Files holding the pod's own fields and its containers' resources.", {
    items: list(C("DownwardAPIVolumeFile"), "The files, each holding one field of the pod or one resource of a container."),
    defaultMode: int32(DEFAULT_MODE),
  }),
  def(C("DownwardAPIVolumeFile"), "One file of a downward API volume: a field of the pod or a resource of a container.", {
    path: str("The file's path relative to the volume; must not be absolute nor contain '..'."),
    fieldRef: ref(C("ObjectFieldSelector"), "A field of the pod: metadata.name, metadata.namespace, metadata.uid, metadata.labels, metadata.annotations (or one label or annotation by key)."),
    resourceFieldRef: ref(C("ResourceFieldSelector"), "A container's limit or request: limits.cpu, limits.memory, requests.cpu, requests.memory, limits.ephemeral-storage..."),
    mode: int32("Permission bits of this file (0-0777), instead of the volume's defaultMode."),
  }, { required: ["path"] }),
  def(C("EphemeralVolumeSource"), "A volume claimed for one pod: a PersistentVolumeClaim named <pod>-<volume> is made from the template when the pod is created, owned by the pod and deleted with it.", {
    volumeClaimTemplate: ref(C("PersistentVolumeClaimTemplate"), "The claim to make. Its spec is copied unchanged; its labels and annotations too."),
  }),
  def(C("PersistentVolumeClaimTemplate"), "A PersistentVolumeClaim to be made: its metadata and spec.", {
    metadata: ref(`${META}.ObjectMeta`, "Labels and annotations of the claim; its name and namespace are set by the cluster."),
    spec: ref(C("PersistentVolumeClaimSpec"), "The claim's spec."),
  }, { required: ["spec"] }),
  def(C("CSIVolumeSource"), "An inline (ephemeral) volume of a CSI driver.", {
    driver: str("The CSI driver's name, as registered in the cluster."),
    readOnly: bool("Mount it read-only. Defaults to false."),
    fsType: str("Filesystem type, e.g. ext4; the driver decides when empty."),
    volumeAttributes: strMap("Driver-specific properties of the volume."),
    nodePublishSecretRef: ref(C("LocalObjectReference"), "A Secret in the pod's namespace passed to the driver when it mounts the volume."),
  }, { required: ["driver"] }),
  def(C("ImageVolumeSource"), "An OCI image or artifact, pulled like a container image and mounted read-only (no exec).", {
    reference: str("The image or artifact, as a container image is named (registry/name:tag or @sha256:...)."),
    pullPolicy: str("When to pull: Always, Never or IfNotPresent. Defaults to Always for :latest (or no tag), IfNotPresent otherwise.", ["Always", "IfNotPresent", "Never"]),
  }),
];
