// src/util/loop-probe.ts: busy periods (bytes read) become segments, a quiet second
// ends one, a blocked loop shows in its max delay, and stop() writes the open one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUIET_MS, startLoopProbe, type ProbeSegment } from '../../../src/util/loop-probe.js';

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
    await until(() => {
      reads += 100;
      if (!blocked && Date.now() - t0 > 150) {
        blocked = true;
        const b = Date.now();
        while (Date.now() - b < 80) {
          // a synchronous stall, as a slow commit on the loop would be
        }
      }
      return Date.now() - t0 > 400;
    });
    const quietFrom = Date.now();
    await until(() => segments(dir).length === 1);
    assert.ok(Date.now() - quietFrom >= QUIET_MS - 150, 'closed only after a quiet second');
    const [s1] = segments(dir);
    assert.ok(s1!.readBytes > 0);
    assert.ok(s1!.eld.max >= 50, `the 80 ms block is in the max (${s1!.eld.max} ms)`);
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
  } finally {
    stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
