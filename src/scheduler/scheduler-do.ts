// The scheduler Durable Object: woken when a pod needs a node or the cluster changed.
import { DurableObject } from "cloudflare:workers";
import type { SchedulerApi } from "../controlplane/stubs";

export class Scheduler extends DurableObject<Env> implements SchedulerApi {
  async poke(): Promise<void> {
    // The scheduling loop is wired in by the scheduler module.
  }
}
