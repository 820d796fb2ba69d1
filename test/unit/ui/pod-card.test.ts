// How a pod card reads a pod (public/ui/js/pod-card.js): the status text as kubectl's
// STATUS column says it, the colour class, restarts, and each container's square.
import { describe, expect, it } from "vitest";
import { containerState, phaseClass, podStatusText, restarts } from "../../../public/ui/js/pod-card.js";

const waiting = (reason: string) => ({ name: "app", ready: false, restartCount: 0, state: { waiting: { reason } } });

describe("pod card", () => {
  it("says Terminating for a deleted pod, a container's waiting reason, else the phase", () => {
    expect(podStatusText({ metadata: { deletionTimestamp: "2026-12-06T05:00:00Z" }, status: { phase: "Running" } })).toBe("Terminating");
    expect(podStatusText({ metadata: {}, status: { phase: "Running", containerStatuses: [{ state: { running: {} } }, waiting("CrashLoopBackOff")] } })).toBe("CrashLoopBackOff");
    // ContainerCreating is what Pending already says.
    expect(podStatusText({ metadata: {}, status: { phase: "Pending", containerStatuses: [waiting("ContainerCreating")] } })).toBe("Pending");
    expect(podStatusText({ metadata: {}, status: { phase: "Succeeded" } })).toBe("Succeeded");
    expect(podStatusText({ metadata: {} })).toBe("Pending");
  });

  it("colours a pod by phase, a waiting reason as a failure, a deleted one as terminating", () => {
    expect(phaseClass({ metadata: {}, status: { phase: "Running" } })).toBe("phase-Running");
    expect(phaseClass({ metadata: {}, status: { phase: "Pending", containerStatuses: [waiting("ImagePullBackOff")] } })).toBe("phase-Failed");
    expect(phaseClass({ metadata: {}, status: { phase: "Pending", containerStatuses: [waiting("ContainerCreating")] } })).toBe("phase-Pending");
    expect(phaseClass({ metadata: { deletionTimestamp: "x" }, status: { phase: "Running" } })).toBe("phase-Terminating");
    expect(phaseClass({ metadata: {} })).toBe("phase-Pending");
  });

  it("adds up the restarts of every container", () => {
    expect(restarts({ status: { containerStatuses: [{ restartCount: 2 }, { restartCount: 3 }, {}] } })).toBe(5);
    expect(restarts({})).toBe(0);
  });

  it("draws a container as ready, running, terminated or waiting", () => {
    expect(containerState(undefined)).toEqual({ cls: "c-waiting", text: "waiting" });
    expect(containerState({ ready: true, state: { running: {} } })).toEqual({ cls: "c-ready", text: "running, ready" });
    expect(containerState({ ready: false, state: { running: {} } })).toEqual({ cls: "c-running", text: "running" });
    expect(containerState({ state: { terminated: { reason: "Error", exitCode: 1 } } })).toEqual({ cls: "c-terminated", text: "terminated: Error (exit 1)" });
    expect(containerState(waiting("ErrImagePull"))).toEqual({ cls: "c-waiting", text: "waiting: ErrImagePull" });
  });
});
