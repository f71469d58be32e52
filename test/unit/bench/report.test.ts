// bench/report-lib.ts on recorded output: fixtures/two-rounds is a real short run
// (`SERVERS="tincan relay" SCENARIOS="fanout500 lat500 conn10k" ROUNDS=2 STEP_S=1
// GRACE_S=1 REFINE=1 npm run bench`, 2026-12-01, machine shared with other work): the
// ircbench JSON of every round and tincan's probe files. Expected figures are read from
// those raw files here, not copied from the report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { checkTargets, endedText, formatReport, formatSteps, loadOut, loadProbes, runView, soakVerdict, spread, type RunView } from '../../../bench/report-lib.js';

const FIX = fileURLToPath(new URL('./fixtures/two-rounds', import.meta.url));
const raw = (round: number, name: string): Record<string, any> => JSON.parse(readFileSync(join(FIX, `round${round}`, `${name}.json`), 'utf8'));
const runs = loadOut(FIX);
const find = (sc: string, srv: string, round: number): RunView => runs.find((r) => r.scenario === sc && r.server === srv && r.round === round)!;

test('spread: median (odd and even counts), min and max; non-numbers ignored', () => {
  assert.deepEqual(spread([3, null, 1, 2]), { median: 2, min: 1, max: 3, n: 3 });
  assert.deepEqual(spread([4, 1, 3, 2]), { median: 2.5, min: 1, max: 4, n: 4 });
  assert.equal(spread([null, Number.NaN]), null);
});

test('every round of every scenario and server is loaded, with the headline figure of its JSON', () => {
  assert.equal(runs.length, 12);
  for (const r of [1, 2]) {
    assert.equal(find('fanout500', 'tincan', r).value, raw(r, 'fanout500-tincan')['max_sustainable_deliveries_per_s']);
    assert.equal(find('lat500', 'relay', r).second, raw(r, 'lat500-relay')['result'].latency_ms.p99);
    assert.equal(find('conn10k', 'tincan', r).second, raw(r, 'conn10k-tincan')['bytes_per_conn']);
  }
});

test('the report gives median [min-max] over the rounds', () => {
  const a = raw(1, 'fanout500-tincan')['max_sustainable_deliveries_per_s'] as number;
  const b = raw(2, 'fanout500-tincan')['max_sustainable_deliveries_per_s'] as number;
  assert.notEqual(a, b, 'the fixture has two different rounds');
  const m = (x: number): string => (x / 1e6).toFixed(2) + 'M';
  const row = formatReport(runs).split('\n').find((l) => l.startsWith('| tincan |') && l.includes(m(Math.min(a, b))))!;
  assert.ok(row, 'a tincan row with the min');
  assert.ok(row.includes(`${m((a + b) / 2)} [${m(Math.min(a, b))}-${m(Math.max(a, b))}]`), row);
});

test('which step ended each sweep: a latency-only failure that failed its rerun is marked "!", a capacity failure is not', () => {
  const r1 = find('fanout500', 'tincan', 1);
  const steps1 = raw(1, 'fanout500-tincan')['steps'] as { rate_msgs_per_s: number; kept_up: boolean; reason: string }[];
  const firstFail = steps1.findIndex((s) => !s.kept_up);
  // in this round the first failure (p99 only) was rerun by ircbench at the same rate and failed again
  assert.equal(steps1[firstFail + 1]!.rate_msgs_per_s, steps1[firstFail]!.rate_msgs_per_s);
  assert.deepEqual(r1.endedBy, { rate: steps1[firstFail]!.rate_msgs_per_s, reason: steps1[firstFail + 1]!.reason, oneStep: true });
  assert.match(endedText(r1), /^r1: ! 26k msgs\/s \(p99 [\d.]+ ms > 100\.0 ms\)$/);

  const r2 = find('fanout500', 'tincan', 2);
  assert.equal(r2.endedBy?.oneStep, false, 'round 2 ended on the delivered fraction: a capacity limit');
  assert.match(r2.endedBy!.reason, /^delivered fraction/);
  assert.doesNotMatch(endedText(r2), /!/);

  // a latency-only failure whose rerun passed does not end the sweep
  const d = structuredClone(raw(1, 'fanout500-tincan'));
  d['steps'][firstFail + 1] = { ...d['steps'][firstFail + 1], kept_up: true, reason: '' };
  const v = runView(1, 'fanout500', 'tincan', d as never, null);
  assert.equal(v.endedBy, null, 'the rerun passed and no later step failed');
  assert.equal(endedText(v), 'r1: no failing step');
});

test("tincan's event-loop delay is matched to the steps: the run's last N probe segments are its N steps", () => {
  const r1 = find('fanout500', 'tincan', 1);
  assert.equal(r1.eldMatched, true);
  const pid = raw(1, 'fanout500-tincan')['server_pid'] as number;
  const segs = loadProbes(join(FIX, 'probe')).get(pid)![0]!.segments;
  const n = r1.steps.length;
  assert.equal(n, (raw(1, 'fanout500-tincan')['steps'] as unknown[]).length + 1, 'sweep steps + the half-rate step');
  assert.ok(segs.length > n, 'setup came first');
  r1.steps.forEach((s, i) => assert.deepEqual(s.eld, { max: segs[segs.length - n + i]!.eld.max, p99: segs[segs.length - n + i]!.eld.p99 }));
  assert.equal(r1.steps[n - 1]!.half, true);
  // the target's view: steps at or below half the max rate, and the half-rate step
  const maxRate = r1.third!;
  const want = Math.max(...r1.steps.filter((s) => s.half || (s.pass && s.rate <= maxRate / 2)).map((s) => s.eld!.max));
  assert.equal(r1.eldHalf!.max, want);
  assert.ok(formatSteps(runs).includes('fanout500 round 1 (tincan) steps'));
  // other servers have no probe
  assert.equal(find('fanout500', 'relay', 1).eld, null);
});

test('a teardown segment after the steps (the bench disconnecting its clients) is not a step: matching skips it, the report shows it apart', () => {
  const pid = raw(1, 'fanout500-tincan')['server_pid'] as number;
  const segs = loadProbes(join(FIX, 'probe')).get(pid)![0]!.segments;
  const d = raw(1, 'fanout500-tincan');
  const plain = runView(1, 'fanout500', 'tincan', d as never, segs);
  const last = segs[segs.length - 1]!;
  const teardown = { ...last, seg: last.seg + 1, eld: { ...last.eld, max: 400, p99: 300 }, teardown: { closes: 500 } };
  const v = runView(1, 'fanout500', 'tincan', d as never, [...segs, teardown]);
  assert.equal(v.eldMatched, true);
  assert.deepEqual(v.steps.map((s) => s.eld), plain.steps.map((s) => s.eld), 'the same steps as without it');
  assert.deepEqual(v.eldHalf, plain.eldHalf);
  assert.deepEqual(v.eld, plain.eld, 'its stall is not the worst step');
  assert.deepEqual(v.teardown, { closes: 500, eld: { max: 400, p99: 300 } });
  assert.match(formatSteps([v]), /teardown \(the bench disconnecting its clients, not a step\): 500 connections closed, loop delay max 400 ms/);
  assert.equal(plain.teardown, null);
});

test('too few segments for the steps: marked unmatched, whole-run figure only', () => {
  const pid = raw(1, 'lat500-tincan')['server_pid'] as number;
  const v = runView(1, 'lat500', 'tincan', raw(1, 'lat500-tincan') as never, []);
  assert.equal(v.eldMatched, false);
  const segs = loadProbes(join(FIX, 'probe')).get(pid)![0]!.segments;
  const d = structuredClone(raw(1, 'fanout500-tincan'));
  const few = runView(1, 'fanout500', 'tincan', d as never, segs.slice(0, 2));
  assert.equal(few.eldMatched, false);
  assert.equal(few.steps.every((s) => s.eld === null), true);
  assert.match(formatReport([few]), /~/);
});

test('targets are judged in every round: PASS only when every round passes', () => {
  const lat = (rs: RunView[]) => checkTargets(rs).find((t) => t.name.startsWith('lat500'))!;
  const t = lat(runs);
  assert.deepEqual(t.rounds.map((r) => r.round), [1, 2]);
  for (const r of t.rounds) {
    const tin = raw(r.round, 'lat500-tincan')['result'].latency_ms.p99 as number;
    const rel = raw(r.round, 'lat500-relay')['result'].latency_ms.p99 as number;
    assert.equal(r.ok, tin <= 1.5 * rel, `round ${r.round}: ${tin} vs ${rel}`);
  }
  // the same run with round 1's relay slower: round 1 passes, round 2 still decides
  const tweak = (round: number, p99: number): RunView[] =>
    runs.map((r) => (r.scenario === 'lat500' && r.server === 'relay' && r.round === round ? { ...r, second: p99 } : r));
  const one = lat(tweak(1, 1000));
  assert.deepEqual(one.rounds.map((r) => r.ok), [true, t.rounds[1]!.ok]);
  assert.equal(one.ok, t.rounds[1]!.ok === true);
  const both = lat(tweak(2, 1000).map((r) => (r.scenario === 'lat500' && r.server === 'relay' && r.round === 1 ? { ...r, second: 1000 } : r)));
  assert.equal(both.ok, true);
  // the loop-delay target: per round, over the message scenarios only
  const eld = checkTargets(runs).find((x) => x.name.startsWith('event-loop'))!;
  for (const r of eld.rounds) {
    const worstHalf = Math.max(find('fanout500', 'tincan', r.round).eldHalf!.max, find('lat500', 'tincan', r.round).eldHalf!.max);
    assert.equal(r.ok, worstHalf <= 20);
  }
  const asOptIn = runs.map((r) => (r.scenario === 'fanout500' || r.scenario === 'lat500' ? { ...r, scenario: 'fanout2000' } : r));
  assert.equal(checkTargets(asOptIn).find((x) => x.name.startsWith('event-loop'))!.ok, null, 'fanout2000 alone is not judged');
  // a scenario that did not run is n/a, not a pass
  assert.equal(checkTargets(runs).find((x) => x.name.startsWith('dm500'))!.ok, null);
});

test('the fixture is what the bench writes (round dirs, probe files by server PID)', () => {
  const probes = readdirSync(join(FIX, 'probe'));
  for (const r of [1, 2]) assert.ok(probes.some((p) => p.startsWith(`tincan-${raw(r, 'fanout500-tincan')['server_pid']}-`)));
});

test('soak verdict: the last minute within 10 % of the second, in RSS and p99; a failed minute fails it', () => {
  const base = find('fanout500', 'tincan', 1);
  const step = (p99: number, rss: number, pass = true) => ({ ...base.steps[0]!, p99, rssBytes: rss, pass, half: false });
  const mk = (steps: ReturnType<typeof step>[]): RunView => ({ ...base, scenario: 'soak', steps });
  assert.equal(soakVerdict(mk([step(20, 100e6), step(20, 110e6), step(21, 111e6), step(21.5, 120e6)])).ok, true);
  assert.equal(soakVerdict(mk([step(20, 100e6), step(20, 110e6), step(21, 111e6), step(23, 120e6)])).ok, false, 'p99 +15 %');
  assert.equal(soakVerdict(mk([step(20, 100e6), step(20, 100e6), step(20, 112e6)])).ok, false, 'RSS +12 %');
  assert.equal(soakVerdict(mk([step(20, 100e6), step(20, 100e6), step(20, 100e6, false), step(20, 100e6)])).ok, false);
  assert.equal(soakVerdict(mk([step(20, 100e6), step(20, 100e6)])).ok, null, 'too short to judge');
});

test('a recorded soak (4 short steps at one rate, SOAK_STEP_S=8): one row per step with p99, RSS and loop delay; verdict from steps 2 and 4', () => {
  const dir = fileURLToPath(new URL('./fixtures/soak', import.meta.url));
  const [soak] = loadOut(dir);
  assert.equal(soak!.scenario, 'soak');
  const d = JSON.parse(readFileSync(join(dir, 'round1', 'soak-tincan.json'), 'utf8')) as { steps: { rate_msgs_per_s: number; latency_ms: { p99: number } }[] };
  assert.equal(d.steps.length, 4);
  assert.ok(d.steps.every((s) => Math.abs(s.rate_msgs_per_s - d.steps[0]!.rate_msgs_per_s) < 1), 'every step at the same rate');
  const v = soakVerdict(soak!);
  assert.deepEqual(v.minutes.map((m) => m.p99), d.steps.map((s) => s.latency_ms.p99));
  assert.ok(v.minutes.every((m) => m.rssBytes !== null && m.eld !== null), 'RSS and loop delay from the probe');
  const within = (a: number, b: number): boolean => Math.abs(a - b) <= 0.1 * b;
  const [, second, , last] = v.minutes;
  assert.equal(v.ok, within(last!.p99!, second!.p99!) && within(last!.rssBytes!, second!.rssBytes!));
});
