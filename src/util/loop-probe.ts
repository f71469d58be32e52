/**
 * Bench-only event-loop probe (`TINCAN_BENCH_PROBE=DIR`, off otherwise: nothing runs
 * and nothing is allocated unless that variable is set).
 *
 * The load generator (ircbench) runs its steps back to back with a quiet drain of at
 * least 1.7 s between them and tells the server nothing, so the probe finds the steps
 * itself: a *segment* starts at the first 100 ms tick in which clients sent bytes and
 * ends once no bytes arrived for QUIET_MS (a tick that ran late by more than
 * STALL_MS counts as busy: a stalled loop reads nothing, yet it is the thing measured).
 * For each segment it writes one JSON line to DIR/tincan-<pid>-<start>.jsonl with the
 * event-loop delay (`perf_hooks.monitorEventLoopDelay`, sampled every 10 ms; the sampling
 * period itself is subtracted, so an idle loop reads ~0) max, p99,
 * p50 and mean in ms, and the RSS / heap at its end. bench/report.mjs matches the
 * segments to ircbench's steps (the last N segments of a run are its N steps).
 *
 * Stalls: a 5 ms timer notes every turn that ran at least STALL_LOG_MS late, with its
 * CLOCK_MONOTONIC time (`process.hrtime`, the clock `perf record -k CLOCK_MONOTONIC`
 * stamps its samples with), so a profile of the whole run can be cut to the stall's
 * window; a segment keeps its MAX_STALLS longest.
 *
 * A mass disconnect (the bench closing all its clients after the last step: at least
 * TEARDOWN_MIN_CLOSES connections, and at least half of those open, closed within one
 * tick) ends the open segment at the tick before and opens a segment marked `teardown`:
 * Node's cost per reset socket (~30-40 us, all inside one poll phase) is a stall other
 * users would see, reported as such, but it is not part of the step ircbench measured.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PerformanceObserver, constants, monitorEventLoopDelay } from 'node:perf_hooks';

export const TICK_MS = 100;
export const QUIET_MS = 1000;
export const STALL_MS = 50;
/** monitorEventLoopDelay's sampling period; its samples are the whole period, so it is subtracted */
export const RESOLUTION_MS = 10;
/** closes within one tick that make a teardown (and at least half of the open connections) */
export const TEARDOWN_MIN_CLOSES = 100;
/** a turn at least this late goes into the segment's `stalls` */
export const STALL_LOG_MS = 15;
export const MAX_STALLS = 8;
const STALL_TIMER_MS = 5;

/** One late turn: when it ended (CLOCK_MONOTONIC, ms) and how late its 5 ms timer ran (ms). */
export interface ProbeStall {
  atMono: number;
  lateMs: number;
}

/** What the probe needs to know: total bytes read from clients so far. */
export type ReadCounter = () => number;
/** Connections opened and closed so far (tcp-connection.ts connectionCounts). */
export type ConnCounter = () => { opened: number; closed: number };

export interface ProbeSegment {
  seg: number;
  start: number;
  end: number;
  readBytes: number;
  eld: { max: number; p99: number; p50: number; mean: number; samples: number };
  /** garbage collections during the segment: count, total and longest pause (ms), major (mark-sweep) count */
  gc: { n: number; totalMs: number; maxMs: number; major: number };
  rss: number;
  heapUsed: number;
  /** V8 heap reserved, Buffer/ArrayBuffer memory outside it (process.memoryUsage), to tell where RSS goes */
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** the most line writes (recipients x lines) one turn queued, turns that held input back for the budget, flushes cut into slices (tcp-connection.ts) */
  turn?: { maxWrites: number; deferred: number; sliced: number };
  /** a mass disconnect, not a load step: how many connections closed in the tick that began it */
  teardown?: { closes: number };
  /** the longest late turns (at most MAX_STALLS), oldest first, and how many there were in all; absent when none */
  stalls?: ProbeStall[];
  stallCount?: number;
}

/** Per-turn work counters, read and reset (tcp-connection.ts takeTurnStats). */
export type TurnStats = () => { maxWrites: number; deferred: number; sliced: number };

/** A histogram value (ns, one sampling period plus the delay) as the delay in ms. */
const ms = (ns: number): number => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 100) / 100);

/** Starts the probe; returns a stop function (writes the open segment). */
export function startLoopProbe(dir: string, reads: ReadCounter, now: () => number = Date.now, turns?: TurnStats, conns?: ConnCounter): () => void {
  mkdirSync(dir, { recursive: true });
  const t0 = now();
  const file = join(dir, `tincan-${process.pid}-${t0}.jsonl`);
  appendFileSync(file, JSON.stringify({ probe: 1, pid: process.pid, start: t0, tickMs: TICK_MS, quietMs: QUIET_MS }) + '\n');
  const h = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  h.enable();
  let seg = 0;
  // GC pauses, to tell a collection from other stalls (the loop delay alone cannot)
  const gc = { n: 0, totalMs: 0, maxMs: 0, major: 0 };
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.n++;
      gc.totalMs += e.duration;
      if (e.duration > gc.maxMs) gc.maxMs = e.duration;
      if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.major++;
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  let stalls: ProbeStall[] = [];
  let stallCount = 0;
  const resetGc = (): void => {
    gc.n = gc.totalMs = gc.maxMs = gc.major = 0;
    stalls = [];
    stallCount = 0;
    turns?.();
  };
  const monoMs = (): number => Number(process.hrtime.bigint() / 1000n) / 1000;
  let stallExpected = monoMs() + STALL_TIMER_MS;
  const stallTimer = setInterval(() => {
    const t = monoMs();
    const late = t - stallExpected;
    stallExpected = t + STALL_TIMER_MS;
    if (late < STALL_LOG_MS) return;
    stallCount++;
    stalls.push({ atMono: Math.round(t * 10) / 10, lateMs: Math.round(late * 10) / 10 });
    if (stalls.length > MAX_STALLS) {
      // drop the shortest, keep the order
      let min = 0;
      for (let i = 1; i < stalls.length; i++) if (stalls[i]!.lateMs < stalls[min]!.lateMs) min = i;
      stalls.splice(min, 1);
    }
  }, STALL_TIMER_MS);
  stallTimer.unref();
  let open: { start: number; bytes0: number; lastActive: number; teardown: number } | null = null;
  let lastReads = reads();
  let lastConns = conns?.() ?? { opened: 0, closed: 0 };
  let expected = t0 + TICK_MS;

  type Stats = Pick<ProbeSegment, 'eld' | 'gc'> & { at: number; reads: number; stalls: ProbeStall[]; stallCount: number };
  const stats = (at: number): Stats => ({
    at,
    reads: lastReads,
    eld: { max: ms(h.max), p99: ms(h.percentile(99)), p50: ms(h.percentile(50)), mean: ms(h.mean), samples: h.count },
    gc: { n: gc.n, totalMs: Math.round(gc.totalMs * 100) / 100, maxMs: Math.round(gc.maxMs * 100) / 100, major: gc.major },
    stalls: stalls.slice(),
    stallCount,
  });
  // the open segment's figures as of the previous tick: a teardown found at this tick
  // ends the segment there, before the stall that brought it (only kept with `conns`)
  let prevTick: Stats | null = null;

  /** `keep`: the histogram and GC counts go on into the next segment (a teardown's stall is in them) */
  const close = (end: number, st: Stats = stats(end), keep = false): void => {
    if (open === null) return;
    const m = process.memoryUsage();
    const rec: ProbeSegment = {
      seg: seg++,
      start: open.start,
      end: st.at,
      readBytes: st.reads - open.bytes0,
      eld: st.eld,
      gc: st.gc,
      rss: m.rss,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
    };
    if (turns !== undefined) rec.turn = turns();
    if (open.teardown > 0) rec.teardown = { closes: open.teardown };
    if (st.stalls.length > 0) {
      rec.stalls = st.stalls;
      rec.stallCount = st.stallCount;
    }
    appendFileSync(file, JSON.stringify(rec) + '\n');
    open = null;
    prevTick = null;
    if (keep) return;
    h.reset();
    resetGc();
  };

  /** Closes since the last look that make a teardown: ends the step at the tick before and opens the teardown segment. */
  const teardownNow = (t: number, late: number, r: number): boolean => {
    if (conns === undefined) return false;
    const c = conns();
    const closes = c.closed - lastConns.closed;
    const wereOpen = lastConns.opened - lastConns.closed;
    lastConns = c;
    if (closes < TEARDOWN_MIN_CLOSES || closes * 2 < wereOpen || (open !== null && open.teardown > 0)) return false;
    // the step ends where the previous tick left it; the stall that came with the
    // closes stays in the histogram for the teardown segment (which also holds that
    // last tick's samples: its figures are an upper bound)
    if (open !== null) close(prevTick?.at ?? t, prevTick ?? stats(t), true);
    open = { start: t - TICK_MS - Math.max(0, late), bytes0: r, lastActive: t, teardown: closes };
    lastReads = r;
    return true;
  };

  const timer = setInterval(() => {
    const t = now();
    const late = t - expected;
    expected = t + TICK_MS;
    const r = reads();
    const active = r !== lastReads || late > STALL_MS;
    if (teardownNow(t, late, r)) return;
    if (open === null) {
      // keep only this tick's samples while idle: a segment starts with them
      if (active) open = { start: t - TICK_MS - Math.max(0, late), bytes0: lastReads, lastActive: t, teardown: 0 };
      else {
        h.reset();
        resetGc();
      }
    } else if (active) {
      open.lastActive = t;
    } else if (t - open.lastActive >= QUIET_MS) {
      close(open.lastActive);
    }
    lastReads = r;
    if (conns !== undefined && open !== null && open.teardown === 0) prevTick = stats(t);
  }, TICK_MS);
  timer.unref();
  // the bench stops the server right after its clients leave: a teardown since the last
  // tick is still told apart from the step before it
  const finish = (): void => {
    const t = now();
    teardownNow(t, Math.max(0, t - expected), reads());
    close(t);
  };
  const onExit = (): void => finish();
  process.once('exit', onExit);
  return () => {
    clearInterval(timer);
    clearInterval(stallTimer);
    process.removeListener('exit', onExit);
    finish();
    h.disable();
    obs.disconnect();
  };
}
