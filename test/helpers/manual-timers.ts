/** History's retry timer driven by the test (one armed at a time): fire() runs it now. */
import type { RetryTimers } from '../../src/core/history.js';

export class ManualTimers implements RetryTimers {
  armed: (() => void) | null = null;
  setTimeout(fn: () => void): unknown {
    this.armed = fn;
    return fn;
  }
  clearTimeout(h: unknown): void {
    if (h === this.armed) this.armed = null;
  }
  fire(): void {
    const fn = this.armed!;
    this.armed = null;
    fn();
  }
}
