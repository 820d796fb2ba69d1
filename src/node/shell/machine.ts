// The shell as a resumable machine. A container's main process is one of these: it
// starts from the container's argv (entrypoint + cmd), runs shell scripts step by step
// and suspends on `sleep` or on a long-running program (node, nginx...). Its whole
// state is JSON (stack of frames, variables, virtual clock), so the runtime persists it
// between alarms and resumes it later: nothing ticks, time is applied lazily.
//
// The same machine runs `kubectl exec` commands in "instant" mode, where sleep returns
// at once and a program that would run forever is cut short.
//
// This file runs the machine against virtual time: when it next wants to run, how many
// steps a wake may take, and how a long gap is caught up without replaying every loop
// turn. What it runs is layered below it: interpreter.ts evaluates the script,
// launch.ts starts commands, processes.ts holds what ps, signals and output reach.
import type { Frame, MachineState } from "./machine-state";
import type { MachineOptions } from "./processes";
import { Interpreter } from "./interpreter";

/**
 * Steps per wake before a loop that never sleeps is suspended. A real busy loop prints
 * at full CPU speed; the model gives it SPIN_MS of virtual time per budget, which keeps
 * catching up an idle pod with a busy container affordable.
 */
const STEP_BUDGET = 2_000;
const SPIN_MS = 10_000;
/** Steps an exec may take before it is treated as never ending. */
const INSTANT_BUDGET = 500_000;
/** Iterations a periodic loop keeps when it catches up a long gap (logs are bounded anyway). */
const KEEP_ITERATIONS = 50;
/** Wakes one catch-up may replay before the process warps ahead (see warp()). */
const WARP_AFTER = 20_000;

const nodeIds = new WeakMap<object, number>();
let nextNodeId = 0;
function nodeId(o: object): number {
  let id = nodeIds.get(o);
  if (id === undefined) nodeIds.set(o, (id = ++nextNodeId));
  return id;
}

/** Tells apart run() calls: a loop's repeat mark is only trusted within the run that made it. */
let runSeq = 0;

export class Machine extends Interpreter {
  private runId = 0;
  private horizon = 0;

  protected nested(state: MachineState, opts: MachineOptions): Machine {
    return new Machine(state, this.host, opts);
  }

  /** When the machine next wants to run: now if runnable, Infinity when blocked for good. */
  nextWake(): number {
    const { st } = this;
    if (st.exit) return Infinity;
    if (!st.wait) return st.clock;
    switch (st.wait.k) {
      case "sleep":
      case "spin":
        return st.wait.until;
      case "program":
        return st.wait.run.pending[0]?.at ?? Infinity;
      case "stdin":
        return Infinity;
    }
  }

  /**
   * Run until nothing is due at or before `until`. `horizon` (>= until) is how far the
   * caller will eventually run: a loop that repeats identically may skip iterations that
   * would fall before horizon minus a few periods. With a `budget`, stop once it has
   * spent that many wakes (it is shared, so a caller can cap several machines together).
   */
  async run(until: number, horizon = until, budget?: { wakes: number; steps: number }): Promise<void> {
    this.horizon = Math.max(horizon, until);
    this.runId = ++runSeq;
    let steps = 0;
    let wakes = 0;
    let runStart = this.st.clock;
    for (;;) {
      const { st } = this;
      if (st.exit) return;
      if (st.wait) {
        const w = this.nextWake();
        if (w > until) return;
        if (budget && (budget.wakes <= 0 || budget.steps <= 0)) return;
        if (++wakes > WARP_AFTER) {
          this.warp(runStart, wakes);
          wakes = 0;
          runStart = st.clock;
          continue;
        }
        if (budget) budget.wakes--;
        st.clock = Math.max(st.clock, w);
        this.wake();
        continue;
      }
      if (!st.control) {
        this.finish(st.shell.status);
        return;
      }
      if (budget && --budget.steps <= 0) return;
      if (++steps > (this.opts.mode === "instant" ? INSTANT_BUDGET : STEP_BUDGET)) {
        if (this.opts.mode === "instant") {
          this.finish(130); // an exec that never ends: as if the user pressed Ctrl-C
          return;
        }
        st.wait = { k: "spin", until: st.clock + SPIN_MS };
        steps = 0;
        continue;
      }
      await this.step();
    }
  }

  /**
   * A loop whose state changes every turn (a counter) cannot be skipped exactly. To keep
   * catching up bounded, the process loses the time in between: its next wake moves to
   * a few turns before the horizon. Lossy on purpose: counters read low afterwards.
   */
  private warp(runStart: number, wakes: number): void {
    const w = this.st.wait;
    if (!w || (w.k !== "sleep" && w.k !== "spin")) return;
    const avg = (this.st.clock - runStart) / wakes;
    const target = Math.floor(this.horizon - avg * KEEP_ITERATIONS);
    if (target > w.until) w.until = target;
  }

  private wake(): void {
    const { st } = this;
    const w = st.wait!;
    if (w.k === "sleep") {
      st.wait = null;
      st.control = { k: "ret", status: 0 };
    } else if (w.k === "spin") {
      st.wait = null;
    } else if (w.k === "program") {
      const e = w.run.pending.shift()!;
      if (e.text !== undefined) this.emit(e.stream ?? "stdout", e.text);
      if (e.exit !== undefined) {
        this.host.releasePorts(w.run.ports);
        st.wait = null;
        st.control = { k: "ret", status: e.exit };
      }
    }
  }

  /**
   * A loop whose state at the top of an iteration is identical to the previous one, a
   * period later, will keep doing the same thing: when the machine must catch up a long
   * gap (a DO that slept for hours), jump over all but the last few iterations instead
   * of replaying them. Their log lines would have been rotated out anyway.
   *
   * Only marks made during this run() count: between runs, an exec or another container
   * may have changed a file the loop tests, and the next turn may not repeat at all.
   */
  protected skipRepeats(f: Extract<Frame, { k: "loop" }>): void {
    const { st } = this;
    const fp = this.fingerprint(f);
    if (f.mark && f.mark.run === this.runId && f.mark.fp === fp) {
      const period = st.clock - f.mark.t;
      if (period <= 0) {
        f.mark.n++; // several turns in the same instant (a loop that never sleeps)
        return;
      }
      // Keep about KEEP_ITERATIONS turns before the horizon, and at least one period.
      const keep = Math.max(1, Math.ceil(KEEP_ITERATIONS / (f.mark.n + 1)));
      const backlog = this.horizon - st.clock;
      if (backlog > period * (keep + 1)) st.clock += (Math.floor(backlog / period) - keep) * period;
    }
    f.mark = { t: st.clock, fp, run: this.runId, n: 0 };
  }

  /**
   * The machine's state at the top of a loop turn, cheaply: syntax nodes by identity
   * (they are the same objects for the whole run), frames by their positions, and the
   * shell's variables.
   */
  private fingerprint(loop: Frame): string {
    const parts: (string | number)[] = [];
    for (const f of [...this.st.stack, loop]) {
      switch (f.k) {
        case "list":
          parts.push("l", nodeId(f.items), f.i);
          break;
        case "andor":
        case "if":
          parts.push(f.k, nodeId(f.node), f.i);
          break;
        case "loop":
          parts.push("w", nodeId(f.node), f.last);
          break;
        case "for":
          parts.push("f", nodeId(f.node), f.i, f.last, nodeId(f.values));
          break;
        case "scope":
          parts.push("s", f.pid, nodeId(f.saved));
          break;
        default:
          parts.push(f.k);
      }
    }
    const sh = this.st.shell;
    return parts.join(",") + "|" + sh.cwd + "|" + sh.status + "|" + JSON.stringify(sh.vars) + sh.exported.length + sh.args.join("\0");
  }
}
