// Security contexts: who a pod's processes run as and what they may do, set for the
// whole pod (PodSecurityContext) and per container (SecurityContext, which wins where
// both say something).
import { CORE, def, str, bool, int64, int64List, ref, list, strList, type Definition } from "./dsl";

const C = (n: string) => `${CORE}.${n}`;

const NOT_WINDOWS = "Not for Windows pods (spec.os.name windows).";

/** The fields both contexts share. */
const SHARED = (scope: string) => ({
  runAsUser: int64(`The UID the ${scope}'s processes run as; defaults to the image's user. ${NOT_WINDOWS}`),
  runAsGroup: int64(`The primary GID of the ${scope}'s processes; defaults to the runtime's. ${NOT_WINDOWS}`),
  runAsNonRoot: bool(`Refuse to start a container whose user is UID 0 (checked by the kubelet against runAsUser or the image).`),
  seLinuxOptions: ref(C("SELinuxOptions"), `The SELinux context of the ${scope}'s processes; the runtime picks a random one when unset. ${NOT_WINDOWS}`),
  seccompProfile: ref(C("SeccompProfile"), `The seccomp filter of the ${scope}'s processes. ${NOT_WINDOWS}`),
  appArmorProfile: ref(C("AppArmorProfile"), `The AppArmor profile of the ${scope}'s processes. ${NOT_WINDOWS}`),
  windowsOptions: ref(C("WindowsSecurityContextOptions"), "Settings for Windows containers only."),
});

export const SECURITY_DEFINITIONS: Definition[] = [
  def(C("PodSecurityContext"), "Security settings for every container of a pod: user and group ids, volume ownership, SELinux, seccomp, AppArmor, sysctls. A container's securityContext overrides the fields both have.", {
    ...SHARED("pod"),
    fsGroup: int64(`A group added to every container's processes, which owns the files of volumes that support it (setgid, group read-write). ${NOT_WINDOWS}`),
    fsGroupChangePolicy: str(`When volume ownership is changed to fsGroup: Always (on every mount, the default) or OnRootMismatch (only when the volume's root does not match). ${NOT_WINDOWS}`, ["Always", "OnRootMismatch"]),
    supplementalGroups: int64List(`More GIDs added to the first process of every container, besides its primary GID and fsGroup. ${NOT_WINDOWS}`),
    supplementalGroupsPolicy: str(`Which supplementary groups the processes get: Merge (the default: also those of the image's /etc/group for its user) or Strict (only fsGroup, supplementalGroups and runAsGroup). ${NOT_WINDOWS}`, ["Merge", "Strict"]),
    seLinuxChangePolicy: str(`How volumes get the pod's SELinux label: Recursive (relabel every file) or MountOption (mount with the context option, where the volume allows it). ${NOT_WINDOWS}`),
    sysctls: list(C("Sysctl"), `Namespaced kernel parameters set for the pod; a pod with an unsafe sysctl the node does not allow fails to start. ${NOT_WINDOWS}`),
  }),
  def(C("SecurityContext"), "Security settings of one container; where the pod's securityContext sets the same field, this one wins.", {
    ...SHARED("container"),
    privileged: bool(`Run the container privileged: its processes are essentially root on the host. Defaults to false. ${NOT_WINDOWS}`),
    allowPrivilegeEscalation: bool(`Whether a process may gain more privileges than its parent (the no_new_privs flag). Always true when privileged or with CAP_SYS_ADMIN. ${NOT_WINDOWS}`),
    capabilities: ref(C("Capabilities"), `Linux capabilities to add to or drop from the runtime's default set. ${NOT_WINDOWS}`),
    readOnlyRootFilesystem: bool(`Mount the container's root filesystem read-only. Defaults to false. ${NOT_WINDOWS}`),
    procMount: str(`How /proc is mounted: Default (the runtime's masked and read-only paths) or Unmasked (needs hostUsers false). ${NOT_WINDOWS}`, ["Default", "Unmasked"]),
  }),
  def(C("Capabilities"), "Linux capabilities added to or dropped from a container's default set.", {
    add: strList("Capabilities to add, e.g. NET_ADMIN, SYS_TIME."),
    drop: strList("Capabilities to remove, e.g. ALL or NET_RAW."),
  }),
  def(C("SELinuxOptions"), "An SELinux context: user, role, type and level.", {
    user: str("The SELinux user label."),
    role: str("The SELinux role label."),
    type: str("The SELinux type label."),
    level: str("The SELinux level label (MLS/MCS), e.g. s0:c123,c456."),
  }),
  def(C("SeccompProfile"), "A seccomp profile: which system calls a container may make.", {
    type: str("RuntimeDefault (the container runtime's profile), Unconfined (no filter) or Localhost (a profile file on the node).", ["Localhost", "RuntimeDefault", "Unconfined"]),
    localhostProfile: str("For type Localhost only: the profile's path relative to the kubelet's seccomp directory."),
  }, { required: ["type"] }),
  def(C("AppArmorProfile"), "An AppArmor profile confining a container's processes.", {
    type: str("RuntimeDefault (the runtime's profile), Unconfined or Localhost (a profile loaded on the node).", ["Localhost", "RuntimeDefault", "Unconfined"]),
    localhostProfile: str("For type Localhost only: the name of the profile loaded on the node."),
  }, { required: ["type"] }),
  def(C("WindowsSecurityContextOptions"), "Settings of Windows containers.", {
    gmsaCredentialSpecName: str("Name of the GMSACredentialSpec object to use."),
    gmsaCredentialSpec: str("The GMSA credential spec's content, inlined by the GMSA admission webhook."),
    runAsUserName: str("The Windows user to run the entrypoint as; defaults to the image's."),
    hostProcess: bool("Run as a Windows HostProcess container (needs hostNetwork; all containers of the pod must agree)."),
  }),
  def(C("Sysctl"), "A kernel parameter set for a pod.", {
    name: str("The parameter, e.g. net.ipv4.ip_local_port_range."),
    value: str("Its value."),
  }, { required: ["name", "value"] }),
];
