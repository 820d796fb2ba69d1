// The kernel every model node runs: what `uname` and nginx's startup notice report.
export const KERNEL = {
  release: "6.6.87-edgekube",
  version: "#1 SMP PREEMPT_DYNAMIC Mon Nov  3 10:00:00 UTC 2025",
  machine: "x86_64",
} as const;
