// The watch cache's window (watchCache in k8s.io/apiserver's cacher): the most recent
// changes of one resource, in resourceVersion order, bounded by count and bytes. It
// knows every change with floor < rv <= head; a watch that starts at or after the
// floor is served from here, an older one from the change log in D1.
import type { KubeObject } from "../model/types";
import type { ChangeType } from "../store/store";

export interface WindowEvent {
  rv: number;
  type: ChangeType;
  object: KubeObject;
  /** The object before the change (absent for a create): for watchers it stops or starts matching. */
  prevObject?: KubeObject;
  /** The event as a watch stream line, serialised once for every watcher. */
  line: string;
}

export interface WindowLimits {
  maxEvents: number;
  maxBytes: number;
}

export class EventWindow {
  private events: WindowEvent[] = [];
  /** Index of the oldest event still held (the array is compacted now and then). */
  private start = 0;
  private bytes = 0;
  private _floor: number;
  private _head: number;

  constructor(
    rv: number,
    private readonly limits: WindowLimits,
  ) {
    this._floor = rv;
    this._head = rv;
  }

  /** Changes at or below this revision are no longer (or were never) held. */
  get floor(): number {
    return this._floor;
  }

  /** Every change up to this revision has been seen. */
  get head(): number {
    return this._head;
  }

  get size(): number {
    return this.events.length - this.start;
  }

  append(ev: WindowEvent): void {
    if (ev.rv <= this._head) return;
    this.events.push(ev);
    this.bytes += ev.line.length;
    this._head = ev.rv;
    while (this.size > this.limits.maxEvents || (this.bytes > this.limits.maxBytes && this.size > 1)) {
      const old = this.events[this.start++];
      this.bytes -= old.line.length;
      this._floor = old.rv;
    }
    if (this.start > 1024 && this.start * 2 > this.events.length) {
      this.events = this.events.slice(this.start);
      this.start = 0;
    }
  }

  /** Nothing of this resource changed up to `rv`. */
  advance(rv: number): void {
    if (rv > this._head) this._head = rv;
  }

  /** Forget everything: the window starts empty at `rv`. */
  reset(rv: number): void {
    this.events = [];
    this.start = 0;
    this.bytes = 0;
    this._floor = rv;
    this._head = rv;
  }

  /** The held events after `rv`, oldest first (`rv` must be at or above the floor). */
  after(rv: number): WindowEvent[] {
    let lo = this.start;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[mid].rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.events.slice(lo);
  }
}
