// Volumes served by storage outside the cluster model: network filesystems and block
// devices (nfs, iscsi, fc, rbd, cephfs, glusterfs), cloud disks and the plugins of
// older releases. A pod's Volume and a PersistentVolume name them with the same
// fields; where a PersistentVolume may point at a Secret in another namespace,
// upstream has a second type (…PersistentVolumeSource) with a SecretReference.
// Published so that manifests using them are understood; none is mounted here.
import { CORE, def, str, bool, int32, ref, strList, strMap, type Definition, type Field } from "./dsl";

const C = (n: string) => `${CORE}.${n}`;

const fsType = (dflt = "ext4") => str(`Filesystem type to mount, e.g. ext4 or xfs; ${dflt} when empty.`);
const readOnly = bool("Mount the volume read-only. Defaults to false.");
const localSecret = (what: string) => ref(C("LocalObjectReference"), `A Secret in the pod's namespace holding ${what}.`);
const anySecret = (what: string) => ref(C("SecretReference"), `A Secret (by name and namespace) holding ${what}.`);

/** A source a pod's Volume and a PersistentVolume share: one definition. */
const shared = (name: string, description: string, properties: Record<string, Field>, required?: string[]) =>
  def(C(name), description, properties, required ? { required } : {});

/**
 * A source with a pod flavour (secrets in the pod's namespace) and a PersistentVolume
 * flavour (secrets anywhere): two definitions from one list of fields.
 */
function flavours(base: string, description: string, fields: (secret: (what: string) => Field) => Record<string, Field>, required: string[], pvExtra: Record<string, Field> = {}): Definition[] {
  return [
    def(C(`${base}VolumeSource`), description, fields(localSecret), required.length ? { required } : {}),
    def(C(`${base}PersistentVolumeSource`), `${description} (PersistentVolume form)`, { ...fields(anySecret), ...pvExtra }, required.length ? { required } : {}),
  ];
}

export const VOLUME_SOURCE_DEFINITIONS: Definition[] = [
  def(C("SecretReference"), "A Secret named by name and namespace.", {
    name: str("Name of the Secret."),
    namespace: str("Namespace of the Secret."),
  }, { atomic: true }),
  shared("NFSVolumeSource", "An export of an NFS server.", {
    server: str("Host name or IP of the NFS server."),
    path: str("The exported path."),
    readOnly: bool("Mount the export read-only. Defaults to false."),
  }, ["server", "path"]),
  ...flavours("ISCSI", "An iSCSI disk, attached to the node and mounted.", (secret) => ({
    targetPortal: str("The target's portal: IP, or IP:port when not 3260."),
    iqn: str("The target's iSCSI Qualified Name."),
    lun: int32("The target's Logical Unit Number."),
    iscsiInterface: str("The iSCSI interface to use; defaults to default (tcp)."),
    fsType: fsType(),
    readOnly,
    portals: strList("Further portals of the target, for multipath."),
    chapAuthDiscovery: bool("Use CHAP authentication for discovery."),
    chapAuthSession: bool("Use CHAP authentication for the session."),
    secretRef: secret("the CHAP credentials"),
    initiatorName: str("A custom initiator name; a new interface <portal>:<volume> is made for it."),
  }), ["targetPortal", "iqn", "lun"]),
  shared("FCVolumeSource", "A Fibre Channel disk, attached to the node and mounted.", {
    targetWWNs: strList("World wide names of the targets."),
    lun: int32("The target's Logical Unit Number."),
    fsType: fsType(),
    readOnly,
    wwids: strList("World wide identifiers of the volume; either these or targetWWNs with lun."),
  }),
  ...flavours("RBD", "A Ceph RADOS block device.", (secret) => ({
    monitors: strList("The Ceph monitors."),
    image: str("The RADOS image."),
    fsType: fsType(),
    pool: str("The RADOS pool; defaults to rbd."),
    user: str("The RADOS user; defaults to admin."),
    keyring: str("Path of the user's keyring; defaults to /etc/ceph/keyring."),
    secretRef: secret("the user's key, instead of the keyring"),
    readOnly,
  }), ["monitors", "image"]),
  ...flavours("CephFS", "A CephFS filesystem.", (secret) => ({
    monitors: strList("The Ceph monitors."),
    path: str("The path inside the filesystem to mount; defaults to /."),
    user: str("The RADOS user; defaults to admin."),
    secretFile: str("Path of the user's key file; defaults to /etc/ceph/user.secret."),
    secretRef: secret("the user's key, instead of secretFile"),
    readOnly,
  }), ["monitors"]),
  ...flavours("Glusterfs", "A GlusterFS volume.", () => ({
    endpoints: str("Name of the Endpoints object listing the Gluster servers."),
    path: str("The Gluster volume's name."),
    readOnly,
  }), ["endpoints", "path"], { endpointsNamespace: str("Namespace of the Endpoints object; defaults to the claim's.") }),
  shared("AWSElasticBlockStoreVolumeSource", "An AWS EBS disk, in the node's zone (deprecated: the ebs.csi.aws.com CSI driver replaces it).", {
    volumeID: str("The EBS volume's id."),
    fsType: fsType(),
    partition: int32("The partition to mount; the whole disk when 0 or unset."),
    readOnly,
  }, ["volumeID"]),
  shared("GCEPersistentDiskVolumeSource", "A Google Compute Engine persistent disk (deprecated: the pd.csi.storage.gke.io CSI driver replaces it).", {
    pdName: str("The disk's name in GCE."),
    fsType: fsType(),
    partition: int32("The partition to mount; the whole disk when 0 or unset."),
    readOnly,
  }, ["pdName"]),
  shared("AzureDiskVolumeSource", "An Azure data disk (deprecated: the disk.csi.azure.com CSI driver replaces it).", {
    diskName: str("The disk's name in blob storage."),
    diskURI: str("The disk's URI in blob storage."),
    cachingMode: str("Host caching: None, ReadOnly or ReadWrite."),
    fsType: fsType(),
    readOnly,
    kind: str("Shared (the default: several disks per storage account), Dedicated (one per account) or Managed (an Azure managed disk)."),
  }, ["diskName", "diskURI"]),
  ...flavours("AzureFile", "An Azure File share (deprecated: the file.csi.azure.com CSI driver replaces it).", () => ({
    secretName: str("The Secret holding the storage account's name and key."),
    shareName: str("The share's name."),
    readOnly,
  }), ["secretName", "shareName"], { secretNamespace: str("Namespace of the Secret; defaults to the pod's.") }),
  ...flavours("Cinder", "An OpenStack Cinder volume (deprecated: the cinder.csi.openstack.org CSI driver replaces it).", (secret) => ({
    volumeID: str("The Cinder volume's id."),
    fsType: fsType(),
    readOnly,
    secretRef: secret("the parameters to connect to OpenStack"),
  }), ["volumeID"]),
  ...flavours("Flex", "A volume mounted by a FlexVolume driver on the node (deprecated: CSI replaces it).", (secret) => ({
    driver: str("The driver's name."),
    fsType: fsType("the driver's default"),
    secretRef: secret("what the driver needs to sign in"),
    readOnly,
    options: strMap("Options passed to the driver."),
  }), ["driver"]),
  shared("FlockerVolumeSource", "A Flocker dataset (deprecated).", {
    datasetName: str("The dataset's name, its metadata name in Flocker."),
    datasetUUID: str("The dataset's UUID; one of datasetName and datasetUUID."),
  }),
  shared("VsphereVirtualDiskVolumeSource", "A vSphere virtual disk (deprecated: the csi.vsphere.vmware.com CSI driver replaces it).", {
    volumePath: str("Path of the disk's vmdk file."),
    fsType: fsType(),
    storagePolicyName: str("The storage policy (SPBM) name."),
    storagePolicyID: str("The storage policy's id."),
  }, ["volumePath"]),
  shared("PhotonPersistentDiskVolumeSource", "A Photon Controller persistent disk (removed upstream; kept for old manifests).", {
    pdID: str("The disk's id."),
    fsType: fsType(),
  }, ["pdID"]),
  shared("PortworxVolumeSource", "A Portworx volume (deprecated: the pxd.portworx.com CSI driver replaces it).", {
    volumeID: str("The volume's id."),
    fsType: fsType(),
    readOnly,
  }, ["volumeID"]),
  shared("QuobyteVolumeSource", "A Quobyte volume (removed upstream; kept for old manifests).", {
    registry: str("Quobyte registries, as host:port pairs separated by commas."),
    volume: str("The Quobyte volume's name."),
    readOnly,
    user: str("The user the volume is accessed as; defaults to serviceaccount."),
    group: str("The group the volume is accessed as; none by default."),
    tenant: str("The tenant owning the volume, for dynamically provisioned ones."),
  }, ["registry", "volume"]),
  ...flavours("ScaleIO", "A ScaleIO volume (removed upstream; kept for old manifests).", (secret) => ({
    gateway: str("The ScaleIO API gateway's address."),
    system: str("The ScaleIO storage system's name."),
    secretRef: secret("the ScaleIO user's credentials"),
    sslEnabled: bool("Talk to the gateway over SSL."),
    protectionDomain: str("The protection domain of the storage."),
    storagePool: str("The storage pool of the protection domain."),
    storageMode: str("ThickProvisioned or ThinProvisioned (the default)."),
    volumeName: str("Name of a volume already made in the system."),
    fsType: fsType("xfs"),
    readOnly,
  }), ["gateway", "system", "secretRef"]),
  ...flavours("StorageOS", "A StorageOS volume (removed upstream; kept for old manifests).", (secret) => ({
    volumeName: str("The volume's name in StorageOS, unique in its namespace."),
    volumeNamespace: str("The StorageOS namespace; defaults to the pod's."),
    fsType: fsType(),
    readOnly,
    secretRef: secret("the StorageOS API credentials"),
  }), [], { secretRef: ref(C("ObjectReference"), "The Secret holding the StorageOS API credentials.") }),
  shared("GitRepoVolumeSource", "A directory filled with a git clone when the pod starts (deprecated: clone in an init container into an emptyDir instead).", {
    repository: str("The repository's URL."),
    revision: str("The commit to check out."),
    directory: str("The directory to clone into, relative to the volume; \".\" clones into the volume's root."),
  }, ["repository"]),
  shared("LocalVolumeSource", "A disk, partition or directory of one node, for a PersistentVolume (with nodeAffinity naming that node).", {
    path: str("Full path on the node."),
    fsType: str("Filesystem type, only when path is a block device; chosen automatically when empty."),
  }, ["path"]),
];
