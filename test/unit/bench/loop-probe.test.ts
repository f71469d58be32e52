// src/util/loop-probe.ts: busy periods (bytes read) become segments, a quiet second
// ends one, a blocked loop shows in its max delay, and stop() writes the open one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUIET_MS, TEARDOWN_MIN_CLOSES, startLoopProbe, type ProbeSegment } from '../../../src/util/loop-probe.js';

const segments = (dir: string): ProbeSegment[] => {
  const [f] = readdirSync(dir);
  if (f === undefined) return [];
  return readFileSync(join(dir, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((o) => 'seg' in o) as unknown as ProbeSegment[];
};
const until = async (cond: () => boolean): Promise<void> => {
  const end = Date.now() + 10000;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

test('two bursts of reads with a quiet gap are two segments; a 80 ms block shows in the first', { timeout: 20000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-probe-'));
  let reads = 0;
  const stop = startLoopProbe(dir, () => reads);
  try {
    const header = JSON.parse(readFileSync(join(dir, readdirSync(dir)[0]!), 'utf8').split('\n')[0]!) as { pid: number };
    assert.equal(header.pid, process.pid);
    // burst 1: reads for ~400 ms, with the loop blocked once for 80 ms
    const t0 = Date.now();
    let blocked = false;
    let blockEndMono = 0;
    await until(() => {
      reads += 100;
      if (!blocked && Date.now() - t0 > 150) {
        blocked = true;
        const b = Date.now();
        while (Date.now() - b < 80) {
          // a synchronous stall, as a slow commit on the loop would be
        }
        blockEndMono = Number(process.hrtime.bigint() / 1000n) / 1000;
      }
      return Date.now() - t0 > 400;
    });
    const quietFrom = Date.now();
    await until(() => segments(dir).length === 1);
    assert.ok(Date.now() - quietFrom >= QUIET_MS - 150, 'closed only after a quiet second');
    const [s1] = segments(dir);
    assert.ok(s1!.readBytes > 0);
    assert.ok(s1!.eld.max >= 50, `the 80 ms block is in the max (${s1!.eld.max} ms)`);
    // the block is in the stall log, stamped on the monotonic clock just after it ended
    const st = s1!.stalls ?? [];
    const big = st.filter((x) => x.lateMs >= 60);
    assert.equal(big.length, 1, `one long stall logged: ${JSON.stringify(st)}`);
    assert.equal(s1!.stallCount, st.length, "every stall counted");
    assert.ok(big[0]!.atMono >= blockEndMono - 1 && big[0]!.atMono < blockEndMono + 50, `stamped at the block's end (${big[0]!.atMono} vs ${blockEndMono})`);
    assert.ok(s1!.end > s1!.start);
    assert.ok(s1!.gc !== undefined && s1!.rss > 0);
    // burst 2, still open when the probe stops
    const t1 = Date.now();
    await until(() => {
      reads += 100;
      return Date.now() - t1 > 300;
    });
    stop();
    const all = segments(dir);
    assert.equal(all.length, 2);
    assert.ok(all[1]!.start >= s1!.end + QUIET_MS - 200, 'the second starts after the gap');
    assert.ok(all[1]!.eld.max < s1!.eld.max, 'no block in the second');
    assert.ok((all[1]!.stalls ?? []).every((x) => x.lateMs < 60), 'no long stall logged in the second');
  } finally {
    stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

// the stall of a mass disconnect (Node's cost per reset socket, all in one poll phase)
// is reported in a segment of its own, not in the step before it; a few closes are not one
// `atStop`: the probe is stopped right after the closes, before any tick (the bench stopping the server)
const burstThenCloses = async (closes: number, open = 2 * TEARDOWN_MIN_CLOSES, atStop = false): Promise<ProbeSegment[]> => {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-probe-'));
  let reads = 0;
  const conns = { opened: open, closed: 0 };
  const stop = startLoopProbe(dir, () => reads, Date.now, undefined, () => ({ ...conns }));
  try {
    const t0 = Date.now();
    await until(() => {
      reads += 100;
      return Date.now() - t0 > 400;
    });
    if (atStop) {
      // no tick runs between the closes and the stop
      conns.closed += closes;
      stop();
      return segments(dir);
    }
    // the closes and their 80 ms stall come together, with the last reads
    reads += 100;
    conns.closed += closes;
    const b = Date.now();
    while (Date.now() - b < 80) {
      // Node closing the reset sockets
    }
    await until(() => segments(dir).length >= (closes >= TEARDOWN_MIN_CLOSES && closes * 2 >= open ? 2 : 1));
    stop();
    return segments(dir);
  } finally {
    stop();
    rmSync(dir, { recursive: true, force: true });
  }
};

test('a mass disconnect ends the step before its stall and is a teardown segment of its own', { timeout: 20000 }, async () => {
  const all = await burstThenCloses(2 * TEARDOWN_MIN_CLOSES);
  assert.equal(all.length, 2);
  const [step, down] = all;
  assert.equal(step!.teardown, undefined);
  assert.ok(step!.eld.max < 50, `the stall is not in the step (${step!.eld.max} ms)`);
  assert.ok(step!.readBytes > 0);
  assert.deepEqual(down!.teardown, { closes: 2 * TEARDOWN_MIN_CLOSES });
  assert.ok(down!.eld.max >= 50, `the stall is in the teardown (${down!.eld.max} ms)`);
  // the stall log splits the same way
  assert.ok((step!.stalls ?? []).every((x) => x.lateMs < 50), `no teardown stall logged in the step: ${JSON.stringify(step!.stalls)}`);
  assert.ok((down!.stalls ?? []).some((x) => x.lateMs >= 60), `the teardown's stall is logged in it: ${JSON.stringify(down!.stalls)}`);
});

test('fewer closes than a teardown stay in the step, stall included', { timeout: 20000 }, async () => {
  const all = await burstThenCloses(TEARDOWN_MIN_CLOSES - 1);
  assert.equal(all.length, 1);
  assert.equal(all[0]!.teardown, undefined);
  assert.ok(all[0]!.eld.max >= 50, `the stall is in the step (${all[0]!.eld.max} ms)`);
});

test('enough closes but under half of those open (clients cut in an overload step) stay in the step', { timeout: 20000 }, async () => {
  const all = await burstThenCloses(TEARDOWN_MIN_CLOSES, 4 * TEARDOWN_MIN_CLOSES);
  assert.equal(all.length, 1);
  assert.equal(all[0]!.teardown, undefined);
  assert.ok(all[0]!.eld.max >= 50, `the stall is in the step (${all[0]!.eld.max} ms)`);
});

test('a mass disconnect just before the probe stops (the bench stopping the server) is still a teardown of its own', { timeout: 20000 }, async () => {
  const all = await burstThenCloses(2 * TEARDOWN_MIN_CLOSES, 2 * TEARDOWN_MIN_CLOSES, true);
  assert.equal(all.length, 2, JSON.stringify(all));
  assert.equal(all[0]!.teardown, undefined);
  assert.ok(all[0]!.readBytes > 0);
  assert.deepEqual(all[1]!.teardown, { closes: 2 * TEARDOWN_MIN_CLOSES });
});
