/**
 * A token bucket: `burst` tokens at most, refilled at `ratePerSec`. Pure: the clock
 * (milliseconds, monotonic) is injected.
 */
const defaultNow = (): number => performance.now();

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly ratePerSec: number,
    readonly burst: number,
    private readonly now: () => number = defaultNow,
  ) {
    if (!(ratePerSec > 0) || !Number.isFinite(ratePerSec)) {
      throw new RangeError(`TokenBucket: ratePerSec must be a positive number, got ${String(ratePerSec)}`);
    }
    if (!(burst > 0) || !Number.isFinite(burst)) {
      throw new RangeError(`TokenBucket: burst must be a positive number, got ${String(burst)}`);
    }
    this.tokens = burst;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    const elapsed = t - this.last;
    this.last = t;
    // refill stops at `burst`; tokens above it (a credit) are kept until spent
    if (elapsed > 0 && this.tokens < this.burst) {
      const next = this.tokens + (elapsed * this.ratePerSec) / 1000;
      this.tokens = next > this.burst ? this.burst : next;
    }
  }

  /** Gives back n tokens taken earlier (never beyond `burst`). */
  refund(n: number): void {
    this.refill();
    if (n > 0 && this.tokens < this.burst) this.tokens = Math.min(this.burst, this.tokens + n);
  }

  /** Adds n tokens on top of what is there, even beyond `burst` (spent first, not refilled). */
  credit(n: number): void {
    this.refill();
    if (n > 0 && Number.isFinite(n)) this.tokens += n;
  }

  /** Tokens available now (fractional). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Takes n tokens if they are all available. */
  take(n = 1): boolean {
    this.refill();
    if (this.tokens >= n) {
      this.tokens -= n;
      return true;
    }
    return false;
  }

  /** Milliseconds until n tokens are available (0 = now; Infinity if n > burst). */
  msUntil(n = 1): number {
    if (n > this.burst) return Infinity;
    this.refill();
    if (this.tokens >= n) return 0;
    return Math.ceil(((n - this.tokens) * 1000) / this.ratePerSec);
  }

  /** True when the bucket is full again (state equivalent to a fresh bucket). */
  isFull(): boolean {
    this.refill();
    return this.tokens >= this.burst;
  }
}
