/**
 * Failed attempts (passwords) per key ("ip 10.0.0.5", "account alice"), with
 * exponential waits: after `freeFailures` failures a key waits `baseWaitMs`, doubling
 * per further failure up to `maxWaitMs`. Bounded: at most `maxEntries` keys (oldest
 * dropped first), each forgotten `forgetMs` after its last failure. Clock injected per call.
 */
export interface FailureThrottleOptions {
  freeFailures: number;
  baseWaitMs: number;
  maxWaitMs: number;
  forgetMs: number;
  maxEntries: number;
}

interface Strikes {
  failures: number;
  until: number;
  last: number;
}

export class FailureThrottle {
  readonly #m = new Map<string, Strikes>();
  readonly #o: FailureThrottleOptions;

  constructor(o: FailureThrottleOptions) {
    this.#o = o;
  }

  get size(): number {
    return this.#m.size;
  }

  /** Milliseconds to wait before `keys` may try again (0 = now). */
  wait(keys: readonly string[], now: number): number {
    let w = 0;
    for (const k of keys) {
      const e = this.#get(k, now);
      if (e !== undefined && e.until > now) w = Math.max(w, e.until - now);
    }
    return w;
  }

  /**
   * Counts an attempt as failed before it is checked, so concurrent guesses cannot all
   * slip in while the hashes run; success() takes it back.
   */
  charge(keys: readonly string[], now: number): void {
    const o = this.#o;
    for (const k of keys) {
      const e = this.#get(k, now) ?? { failures: 0, until: 0, last: now };
      e.failures++;
      e.last = now;
      if (e.failures >= o.freeFailures) {
        e.until = now + Math.min(o.maxWaitMs, o.baseWaitMs * 2 ** (e.failures - o.freeFailures));
      }
      this.#m.delete(k);
      this.#m.set(k, e);
      if (this.#m.size > o.maxEntries) this.#m.delete(this.#m.keys().next().value!);
    }
  }

  success(keys: readonly string[]): void {
    for (const k of keys) this.#m.delete(k);
  }

  #get(k: string, now: number): Strikes | undefined {
    const e = this.#m.get(k);
    if (e !== undefined && now - e.last > this.#o.forgetMs && e.until <= now) {
      this.#m.delete(k);
      return undefined;
    }
    return e;
  }
}
