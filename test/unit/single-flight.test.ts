import { describe, it, expect } from "vitest";
import { SingleFlight } from "../../src/util/single-flight";

/** A job whose runs finish only when the test says so. */
function gatedJob<T>() {
  const runs: { arg: T; finish: () => void; fail: (e: Error) => void }[] = [];
  let active = 0;
  let maxActive = 0;
  const fn = (arg: T) =>
    new Promise<void>((resolve, reject) => {
      active++;
      maxActive = Math.max(maxActive, active);
      const end = () => active--;
      runs.push({ arg, finish: () => (end(), resolve()), fail: (e) => (end(), reject(e)) });
    });
  return { fn, runs, maxActive: () => maxActive };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("SingleFlight", () => {
  it("runs at once when idle and resolves when that run ends", async () => {
    const job = gatedJob<void>();
    const sf = new SingleFlight(job.fn);
    let done = false;
    const p = sf.run().then(() => (done = true));
    await tick();
    expect(job.runs).toHaveLength(1);
    expect(sf.running).toBe(true);
    expect(done).toBe(false);
    job.runs[0].finish();
    await p;
    expect(sf.running).toBe(false);
  });

  it("makes exactly one more run for any number of requests while running, and never two at once", async () => {
    const job = gatedJob<void>();
    const sf = new SingleFlight(job.fn);
    const first = sf.run();
    await tick();
    const later = [sf.run(), sf.run(), sf.run()];
    let laterDone = false;
    void Promise.all(later).then(() => (laterDone = true));
    job.runs[0].finish();
    await first;
    await tick();
    // The requests made during the first run wait for the second, not the first.
    expect(job.runs).toHaveLength(2);
    expect(laterDone).toBe(false);
    job.runs[1].finish();
    await Promise.all(later);
    await tick();
    expect(job.runs).toHaveLength(2);
    expect(job.maxActive()).toBe(1);
  });

  it("merges the arguments of requests that wait for the same run", async () => {
    const job = gatedJob<boolean>();
    const sf = new SingleFlight<boolean>(job.fn, (a, b) => a || b);
    const first = sf.run(false);
    await tick();
    const later = [sf.run(false), sf.run(true), sf.run(false)];
    job.runs[0].finish();
    await first;
    await tick();
    expect(job.runs.map((r) => r.arg)).toEqual([false, true]);
    job.runs[1].finish();
    await Promise.all(later);
  });

  it("hands a run's failure to its own callers only; the next run still happens", async () => {
    const job = gatedJob<void>();
    const sf = new SingleFlight(job.fn);
    const first = sf.run();
    await tick();
    const second = sf.run();
    job.runs[0].fail(new Error("boom"));
    await expect(first).rejects.toThrow("boom");
    await tick();
    expect(job.runs).toHaveLength(2);
    job.runs[1].finish();
    await expect(second).resolves.toBeUndefined();
  });

  it("a job that throws synchronously rejects its callers", async () => {
    const sf = new SingleFlight(() => {
      throw new Error("sync");
    });
    await expect(sf.run()).rejects.toThrow("sync");
    expect(sf.running).toBe(false);
  });

  it("a request made from inside the job waits for the next run instead of nesting", async () => {
    const log: string[] = [];
    let inner: Promise<void> | undefined;
    const sf: SingleFlight<number> = new SingleFlight<number>(async (n) => {
      log.push(`start ${n}`);
      if (n === 1) inner = sf.run(2);
      await tick();
      log.push(`end ${n}`);
    });
    await sf.run(1);
    await inner;
    expect(log).toEqual(["start 1", "end 1", "start 2", "end 2"]);
  });

  it("absorb: the job takes waiting requests into the current run, whose end then resolves them", async () => {
    const job = gatedJob<string>();
    const sf = new SingleFlight<string>(job.fn, (a, b) => a + b);
    const first = sf.run("a");
    await tick();
    expect(sf.absorb()).toBeUndefined();
    const joined = [sf.run("b"), sf.run("c")];
    let joinedDone = false;
    void Promise.all(joined).then(() => (joinedDone = true));
    expect(sf.absorb()).toEqual({ arg: "bc" });
    job.runs[0].finish();
    await first;
    await tick();
    expect(joinedDone).toBe(true);
    // Nothing was left waiting, so no second run.
    expect(job.runs).toHaveLength(1);
    expect(sf.running).toBe(false);
  });

  it("absorbed callers see the current run's failure", async () => {
    const job = gatedJob<void>();
    const sf = new SingleFlight(job.fn);
    const first = sf.run();
    await tick();
    const joined = sf.run();
    sf.absorb();
    job.runs[0].fail(new Error("late"));
    await expect(first).rejects.toThrow("late");
    await expect(joined).rejects.toThrow("late");
  });

  it("a caller that resumes after its run and asks again gets a fresh run at once", async () => {
    let runs = 0;
    const sf = new SingleFlight(async () => {
      runs++;
    });
    await sf.run();
    expect(sf.running).toBe(false);
    await sf.run();
    expect(runs).toBe(2);
  });
});
