/**
 * Capped exponential backoff for reconnects: min, 2*min, 4*min ... up to max, with up
 * to 20% random jitter so many clients do not reconnect in lockstep after a restart.
 */
export interface BackoffOptions {
  minMs: number;
  maxMs: number;
  /** 0..1, share of the delay that is random (default 0.2) */
  jitter?: number;
  random?: () => number;
}

export class Backoff {
  #attempt = 0;
  constructor(readonly opts: BackoffOptions) {}

  /** Delay before the next attempt; each call doubles the base until maxMs. */
  next(): number {
    const base = Math.min(this.opts.maxMs, this.opts.minMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    const jitter = this.opts.jitter ?? 0.2;
    const r = (this.opts.random ?? Math.random)();
    return Math.round(base * (1 - jitter + jitter * r));
  }

  get attempts(): number {
    return this.#attempt;
  }

  reset(): void {
    this.#attempt = 0;
  }
}
