// Waiting for the controller manager instead of sleeping: a test that asserts that a
// controller did nothing first lets it do everything it was going to, so the
// assertion can fail.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import type { ControllerManager, QueueState } from "../../src/controllers/controller-manager";
import { waitFor } from "./helpers";

/**
 * Drain the controller manager until no key is due within `horizonMs` (a rate-limited
 * GC sweep runs; a recheck minutes away does not count) and no reconcile is running.
 */
export function settleControllers(horizonMs = 2_000): Promise<QueueState> {
  const stub = env.CONTROLLERS.get(env.CONTROLLERS.idFromName("kube-controller-manager"));
  return waitFor(async () => {
    const s = await runInDurableObject(stub, (cm: ControllerManager) => cm.flush());
    return s.idle && (s.nextDue === undefined || s.nextDue > Date.now() + horizonMs) && s;
  }, "the controllers to settle");
}
