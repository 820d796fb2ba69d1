// IDs as containerd and CRI-O make them: 64 hex digits. Random by default; tests inject
// a seeded `random` so IDs are reproducible.

export function hexId(random: () => number = Math.random): string {
  let s = "";
  for (let i = 0; i < 8; i++) s += Math.floor(random() * 0x1_0000_0000).toString(16).padStart(8, "0");
  return s;
}

/** Accept "containerd://<id>" as well as the bare ID. */
export function stripPrefix(id: string): string {
  const i = id.indexOf("://");
  return i >= 0 ? id.slice(i + 3) : id;
}
