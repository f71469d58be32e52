/**
 * Delivery first, for the process's own helper threads: V8's platform workers
 * (concurrent marking, parallel scavenges, compiler jobs) and libuv's thread pool (file
 * writes of the log, password hashing, DNS). On a machine with cores to spare they run
 * beside the event loop and this changes nothing. Where tincan has one core (a Raspberry
 * Pi Zero, a one-CPU container, the benchmark's pinned core) they take turns with the
 * event loop at the same priority, and a concurrent-marking task holds the core for a
 * scheduler slice: private messages at 30,000 msgs/s (a third of the core) had stalls
 * of 13-58 ms with GC pauses under 10 ms (docs/performance.md, fifth pass). Below the
 * loop they run mostly when it waits. Not at the bottom (nice 19), though: when the loop
 * itself fills the core (10,000 clients registering, the top of a load sweep) a helper at
 * 19 gets almost nothing, so V8's optimizing compiles never finish and hot code stays in
 * its baseline tier (a registration cost 20 % more CPU), and concurrent marking falls
 * behind (memory per idle connection 5.2-6.1 KB; 5.1-5.2 at 10). Ten levels below the
 * loop a helper gets about a tenth of a contended core, in slices short enough that the
 * private-message stalls above stay away (sixth pass). Relative to the loop's own nice
 * value, because the scheduler weighs the difference: a server started at nice -19 (the
 * benchmark) gets its helpers at -9, not at 10, which would starve them again.
 *
 * Linux only (a thread is a task in /proc/self/task and setpriority takes its id);
 * elsewhere this does nothing. The main thread keeps its priority.
 */
import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** How many nice levels below the event loop the helpers run (see above); the history writer runs at 19 (storage/sqlite/writer.ts WRITER_NICE). */
export const HELPER_NICE_BELOW = 10;

/** The helpers' nice value: HELPER_NICE_BELOW under the calling (main) thread's, at most 19. */
export function helperNice(): number {
  return Math.min(19, getPriority() + HELPER_NICE_BELOW);
}

/**
 * Lowers every thread of this process but the main one to `nice` (never raises one).
 * Threads started later (a Worker, the thread pool when first used) are not touched:
 * call it once they exist. Returns how many threads were lowered.
 */
export function lowerHelperThreads(nice = helperNice()): number {
  if (process.platform !== 'linux') return 0;
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return 0;
  }
  let lowered = 0;
  for (const t of tids) {
    const tid = Number(t);
    if (!Number.isInteger(tid) || tid <= 0 || tid === process.pid) continue;
    try {
      if (getPriority(tid) >= nice) continue;
      setPriority(tid, nice);
      lowered++;
    } catch {
      // the thread ended meanwhile, or we may not: it keeps its priority
    }
  }
  return lowered;
}
