/**
 * The bench's reporting logic (bench/report.ts prints it, test/unit/bench/ tests it on
 * recorded runs): one RunView per ircbench JSON (a round, a scenario, a server), the
 * median with min and max over rounds, which step ended each sweep and why, tincan's
 * event-loop delay per step (the probe's segments, src/util/loop-probe.ts, matched to
 * the steps), and issue 17's targets checked in every round.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

// ---- ircbench JSON (only what is read here) ---------------------------------------

interface RawStep {
  rate_msgs_per_s?: number;
  deliveries_per_s_target?: number;
  deliveries_per_s_achieved?: number;
  delivered_fraction?: number;
  latency_ms?: { p99?: number };
  clients_lost?: number;
  send_dropped?: number;
  kept_up?: boolean;
  reason?: string;
}

interface RawRun {
  label?: string;
  scenario?: string;
  server_pid?: number;
  error?: string;
  setup_ok?: boolean;
  mode?: 'fixed' | 'sweep';
  result?: RawStep;
  steps?: RawStep[];
  half_rate_step?: RawStep | null;
  sweep_aborted?: boolean;
  sweep_abort_reason?: string;
  max_sustainable_rate_msgs_per_s?: number;
  max_sustainable_deliveries_per_s?: number;
  first_failing_rate_msgs_per_s?: number;
  registration?: { per_s?: number; registered?: number; attempted?: number };
  bytes_per_conn?: number;
  server_rss_kb_end?: number;
  first_loss_reason?: string;
}

/** One probe segment (src/util/loop-probe.ts ProbeSegment). */
export interface Segment {
  seg: number;
  start: number;
  end: number;
  readBytes: number;
  eld: { max: number; p99: number; p50: number; mean: number; samples: number };
  /** absent in probe files written before it was added */
  gc?: { n: number; totalMs: number; maxMs: number; major: number };
  rss: number;
  heapUsed: number;
  /** V8 heap reserved (absent in older probe files) */
  heapTotal?: number;
  /** a mass disconnect after the steps, not a step (absent in older probe files) */
  teardown?: { closes: number };
}

export interface Eld {
  max: number;
  p99: number;
}

export interface StepView {
  rate: number;
  pass: boolean;
  reason: string;
  p99: number | null;
  deliveriesPerS: number | null;
  fraction: number | null;
  clientsLost: number;
  /** latency alone failed it: everything delivered, nobody lost, nothing dropped */
  latencyOnly: boolean;
  /** tincan only, when the probe's segments matched the steps */
  eld: Eld | null;
  rssBytes: number | null;
  /** longest GC pause in the step (ms) and how many were major, when the probe recorded it */
  gcMaxMs: number | null;
  gcMajor: number | null;
  half: boolean;
}

export interface EndedBy {
  rate: number;
  reason: string;
  /** one step that failed on latency alone ended the sweep (not a capacity limit) */
  oneStep: boolean;
}

export interface RunView {
  round: number;
  scenario: string;
  server: string;
  kind: 'sweep' | 'fixed' | 'conn' | 'error';
  error: string | null;
  /** the headline figure: deliveries/s (sweep: max sustainable; fixed: achieved) or registrations/s */
  value: number | null;
  /** sweep: half-rate p99; fixed: p99; conn: bytes per connection */
  second: number | null;
  /** sweep: max msgs/s; fixed: delivered fraction; conn: registered */
  third: number | null;
  steps: StepView[];
  endedBy: EndedBy | null;
  aborted: string | null;
  /** event-loop delay over the whole run (worst segment), null when no probe */
  eld: Eld | null;
  /** worst event-loop delay over the steps at or below half the max rate (incl. the half-rate step) */
  eldHalf: Eld | null;
  /** false when the probe's segments could not be matched to the steps */
  eldMatched: boolean;
  /** the bench's disconnect of its clients (probe segments marked teardown): not a step, shown apart */
  teardown: { closes: number; eld: Eld } | null;
}

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

function stepView(s: RawStep, half: boolean): StepView {
  const lost = num(s.clients_lost) ?? 0;
  const fraction = num(s.delivered_fraction);
  const pass = s.kept_up === true;
  return {
    rate: num(s.rate_msgs_per_s) ?? 0,
    pass,
    reason: s.reason ?? '',
    p99: num(s.latency_ms?.p99),
    deliveriesPerS: num(s.deliveries_per_s_achieved),
    fraction,
    clientsLost: lost,
    latencyOnly: !pass && lost === 0 && (num(s.send_dropped) ?? 0) === 0 && fraction !== null && fraction >= 0.999,
    eld: null,
    rssBytes: null,
    gcMaxMs: null,
    gcMajor: null,
    half,
  };
}

const worst = (xs: (Eld | null)[]): Eld | null => {
  const v = xs.filter((x): x is Eld => x !== null);
  if (v.length === 0) return null;
  return { max: Math.max(...v.map((e) => e.max)), p99: Math.max(...v.map((e) => e.p99)) };
};

/** Builds the view of one ircbench JSON; `segments` = tincan's probe segments for that server process. */
export function runView(round: number, scenario: string, server: string, d: RawRun, segments: Segment[] | null): RunView {
  const v: RunView = {
    round,
    scenario,
    server,
    kind: 'error',
    error: null,
    value: null,
    second: null,
    third: null,
    steps: [],
    endedBy: null,
    aborted: null,
    eld: null,
    eldHalf: null,
    eldMatched: false,
    teardown: null,
  };
  if (d.error !== undefined) {
    v.error = d.error;
    return v;
  }
  if (d.scenario === 'conn') {
    v.kind = 'conn';
    v.value = num(d.registration?.per_s);
    v.second = num(d.bytes_per_conn);
    v.third = num(d.registration?.registered);
  } else if (d.mode === 'fixed' && d.result !== undefined) {
    v.kind = 'fixed';
    const s = stepView(d.result, false);
    v.steps = [s];
    v.value = s.deliveriesPerS;
    v.second = s.p99;
    v.third = s.fraction;
  } else if (d.mode === 'sweep') {
    v.kind = 'sweep';
    v.steps = (d.steps ?? []).map((s) => stepView(s, false));
    if (d.half_rate_step) v.steps.push(stepView(d.half_rate_step, true));
    v.value = num(d.max_sustainable_deliveries_per_s);
    v.second = num(d.half_rate_step?.latency_ms?.p99);
    v.third = num(d.max_sustainable_rate_msgs_per_s);
    if (d.sweep_aborted === true) v.aborted = d.sweep_abort_reason || 'aborted';
    // the step that ended the growth phase: the first failing one (a latency-only
    // failure is rerun once by ircbench; the rerun is the next step and counts)
    const sweepSteps = v.steps.filter((s) => !s.half);
    for (let i = 0; i < sweepSteps.length; i++) {
      const s = sweepSteps[i]!;
      if (s.pass) continue;
      const next = sweepSteps[i + 1];
      if (s.latencyOnly && next !== undefined && next.rate === s.rate) continue; // retried
      v.endedBy = { rate: s.rate, reason: s.reason || 'failed', oneStep: s.latencyOnly };
      break;
    }
  } else {
    v.error = d.setup_ok === false ? 'setup failed' : 'no result';
    return v;
  }
  const teardowns = segments?.filter((s) => s.teardown !== undefined) ?? [];
  if (teardowns.length > 0) {
    v.teardown = { closes: teardowns.reduce((n, s) => n + (s.teardown?.closes ?? 0), 0), eld: worst(teardowns.map((s) => s.eld))! };
  }
  // a teardown is not a step: the steps are the last N of the other segments
  if (segments !== null) segments = segments.filter((s) => s.teardown === undefined);
  if (segments !== null && segments.length > 0) {
    v.eld = worst(segments.map((s) => s.eld));
    // ircbench's steps are the run's last N busy segments (setup comes first)
    const n = v.steps.length;
    if (n > 0 && segments.length >= n) {
      const tail = segments.slice(segments.length - n);
      v.steps.forEach((s, i) => {
        s.eld = { max: tail[i]!.eld.max, p99: tail[i]!.eld.p99 };
        s.rssBytes = tail[i]!.rss;
        s.gcMaxMs = tail[i]!.gc?.maxMs ?? null;
        s.gcMajor = tail[i]!.gc?.major ?? null;
      });
      v.eldMatched = true;
      if (v.kind === 'sweep') {
        const maxRate = v.third ?? 0;
        v.eldHalf = worst(v.steps.filter((s) => s.half || (s.pass && s.rate <= maxRate / 2)).map((s) => s.eld));
      } else {
        v.eldHalf = worst(v.steps.map((s) => s.eld));
      }
    } else if (v.kind === 'conn') {
      v.eldMatched = true;
      v.eldHalf = v.eld;
    }
  }
  return v;
}

// ---- loading an OUT directory --------------------------------------------------------

/** Probe files by PID: every file of a process, each with its start time and segments. */
export function loadProbes(dir: string): Map<number, { start: number; segments: Segment[] }[]> {
  const out = new Map<number, { start: number; segments: Segment[] }[]>();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.jsonl'))) {
    const lines = readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l.trim() !== '');
    let head: { pid?: number; start?: number } = {};
    const segments: Segment[] = [];
    for (const l of lines) {
      try {
        const o = JSON.parse(l) as Record<string, unknown>;
        if (o['probe'] !== undefined) head = o as typeof head;
        else if (typeof o['seg'] === 'number') segments.push(o as unknown as Segment);
      } catch {
        // a torn last line (killed server): skip it
      }
    }
    if (typeof head.pid !== 'number' || typeof head.start !== 'number') continue;
    const list = out.get(head.pid) ?? [];
    list.push({ start: head.start, segments });
    out.set(head.pid, list);
  }
  return out;
}

/** Every RunView of an OUT directory: roundN/SCENARIO-SERVER.json, and probe/. */
export function loadOut(out: string): RunView[] {
  const probes = loadProbes(join(out, 'probe'));
  const runs: RunView[] = [];
  for (const r of readdirSync(out).filter((d) => /^round\d+$/.test(d)).sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))) {
    for (const f of readdirSync(join(out, r)).filter((x) => x.endsWith('.json')).sort()) {
      let d: RawRun;
      try {
        d = JSON.parse(readFileSync(join(out, r, f), 'utf8')) as RawRun;
      } catch {
        continue;
      }
      const base = f.slice(0, -5);
      const i = base.lastIndexOf('-');
      const sc = base.slice(0, i);
      const srv = base.slice(i + 1);
      let segs: Segment[] | null = null;
      if (typeof d.server_pid === 'number') {
        // PIDs can be reused over a long run: the newest probe file started before this JSON was written
        const written = statSync(join(out, r, f)).mtimeMs;
        const cands = (probes.get(d.server_pid) ?? []).filter((p) => p.start <= written).sort((a, b) => b.start - a.start);
        segs = cands[0]?.segments ?? null;
      }
      runs.push(runView(Number(r.slice(5)), sc, srv, d, segs));
    }
  }
  return runs;
}

// ---- statistics and formatting -----------------------------------------------------------

export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function spread(xs: (number | null)[]): Spread | null {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return { median: v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2, min: v[0]!, max: v[v.length - 1]!, n: v.length };
}

export function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined) return '-';
  const a = Math.abs(x);
  if (a >= 1e6) return (x / 1e6).toFixed(2) + 'M';
  if (a >= 1e4) return (x / 1e3).toFixed(0) + 'k';
  if (a >= 10) return x.toFixed(0);
  return x.toFixed(2);
}

/** "median [min-max]" (just the value for one round). */
export function fmtSpread(s: Spread | null): string {
  if (s === null) return '-';
  if (s.n === 1) return fmt(s.median);
  return `${fmt(s.median)} [${fmt(s.min)}-${fmt(s.max)}]`;
}

const COLS: Record<RunView['kind'], [string, string, string]> = {
  sweep: ['deliveries/s', 'p99 ms @half', 'max msgs/s'],
  fixed: ['deliveries/s', 'p99 ms', 'delivered fraction'],
  conn: ['registrations/s', 'bytes/conn', 'registered'],
  error: ['-', '-', '-'],
};

function group(runs: RunView[]): Map<string, Map<string, RunView[]>> {
  const by = new Map<string, Map<string, RunView[]>>();
  for (const r of runs) {
    const sc = by.get(r.scenario) ?? new Map<string, RunView[]>();
    by.set(r.scenario, sc);
    const l = sc.get(r.server) ?? [];
    l.push(r);
    sc.set(r.server, l);
  }
  return by;
}

/** The per-scenario tables: median [min-max] over rounds, sweep endings, tincan's event-loop delay. */
export function formatReport(runs: RunView[]): string {
  const lines: string[] = [];
  for (const [sc, bySrv] of group(runs)) {
    const all = [...bySrv.values()].flat();
    const kind = all.find((r) => r.kind !== 'error')?.kind ?? 'error';
    const rounds = Math.max(...[...bySrv.values()].map((l) => l.length));
    const c = COLS[kind];
    lines.push('', `${sc} (median [min-max] of ${rounds} round${rounds === 1 ? '' : 's'})`);
    lines.push(`| server | ${c[0]} | ${c[1]} | ${c[2]} | vs tincan | loop delay max / p99 ms | sweep ended by (per round) |`);
    lines.push('|---|---|---|---|---|---|---|');
    const base = spread((bySrv.get('tincan') ?? []).map((r) => r.value))?.median ?? null;
    for (const srv of [...bySrv.keys()].sort()) {
      const rs = bySrv.get(srv)!.sort((a, b) => a.round - b.round);
      const v = spread(rs.map((r) => r.value));
      const ratio = base === null || v === null || base === 0 ? '-' : (v.median / base).toFixed(2);
      const eld = rs.some((r) => r.eld !== null)
        ? rs.map((r) => (r.eld === null ? '-' : `${fmt(r.eld.max)}/${fmt(r.eld.p99)}${r.eldMatched ? '' : '~'}`)).join(', ')
        : '';
      const ended = kind === 'sweep' ? rs.map(endedText).join('; ') : rs.filter((r) => r.error !== null).map((r) => `r${r.round}: ${r.error}`).join('; ');
      lines.push(`| ${srv} | ${fmtSpread(v)} | ${fmtSpread(spread(rs.map((r) => r.second)))} | ${fmtSpread(spread(rs.map((r) => r.third)))} | ${ratio} | ${eld} | ${ended} |`);
    }
  }
  lines.push(
    '',
    'loop delay: tincan\'s event-loop delay (monitorEventLoopDelay) over the worst step of each round, max/p99 in ms; "~" = ' +
      'the probe segments did not match the steps (whole run). "!" = the sweep was ended by ONE step that failed on latency ' +
      'alone (everything delivered, no client lost) after ircbench\'s retry, not by a capacity limit.',
  );
  return lines.join('\n');
}

export function endedText(r: RunView): string {
  if (r.error !== null) return `r${r.round}: ${r.error}`;
  if (r.aborted !== null) return `r${r.round}: aborted (${r.aborted})${r.endedBy ? ` at ${fmt(r.endedBy.rate)}` : ''}`;
  if (r.endedBy === null) return `r${r.round}: no failing step`;
  return `r${r.round}: ${r.endedBy.oneStep ? '! ' : ''}${fmt(r.endedBy.rate)} msgs/s (${r.endedBy.reason})`;
}

/** tincan's steps, one table per run: rate, verdict, latency, event-loop delay, RSS. */
export function formatSteps(runs: RunView[], server = 'tincan'): string {
  const lines: string[] = [];
  for (const r of runs.filter((x) => x.server === server && x.steps.length > 0)) {
    lines.push('', `${r.scenario} round ${r.round} (${server}) steps${r.eldMatched ? '' : ' (loop delay: segments did not match)'}`);
    lines.push('| msgs/s | result | p99 ms | deliveries/s | loop delay max ms | loop delay p99 ms | longest GC ms (major GCs) | RSS MiB |');
    lines.push('|---|---|---|---|---|---|---|---|');
    for (const s of r.steps) {
      const res = s.pass ? 'pass' : `FAIL: ${s.reason}`;
      lines.push(
        `| ${fmt(s.rate)}${s.half ? ' (half)' : ''} | ${res} | ${fmt(s.p99)} | ${fmt(s.deliveriesPerS)} | ${fmt(s.eld?.max)} | ${fmt(s.eld?.p99)} | ${s.gcMaxMs === null ? '-' : `${fmt(s.gcMaxMs)} (${s.gcMajor})`} | ${s.rssBytes === null ? '-' : (s.rssBytes / 1048576).toFixed(0)} |`,
      );
    }
    if (r.teardown !== null) {
      lines.push('', `teardown (the bench disconnecting its clients, not a step): ${r.teardown.closes} connections closed, loop delay max ${fmt(r.teardown.eld.max)} ms`);
    }
  }
  return lines.join('\n');
}

// ---- targets (issue 17), every round -------------------------------------------------------

export interface TargetResult {
  name: string;
  /** one verdict per round (null = not measurable in that round) */
  rounds: { round: number; ok: boolean | null; detail: string }[];
  /** PASS only when every round passed */
  ok: boolean | null;
}

function byRound(runs: RunView[], sc: string, srv: string): Map<number, RunView> {
  return new Map(runs.filter((r) => r.scenario === sc && r.server === srv && r.error === null).map((r) => [r.round, r]));
}

function perRound(runs: RunView[], name: string, check: (round: number) => { ok: boolean | null; detail: string }): TargetResult {
  const rounds = [...new Set(runs.map((r) => r.round))].sort((a, b) => a - b).map((round) => ({ round, ...check(round) }));
  const known = rounds.filter((r) => r.ok !== null);
  return { name, rounds, ok: known.length === 0 ? null : known.every((r) => r.ok === true) && known.length === rounds.length };
}

const bestOf = (xs: (number | null | undefined)[], pick: (...v: number[]) => number): number | null => {
  const v = xs.filter((x): x is number => typeof x === 'number');
  return v.length ? pick(...v) : null;
};

/** Scenarios the event-loop delay target judges. */
export const ELD_SCENARIOS: readonly string[] = ['fanout500', 'lat500', 'dm500'];

export function checkTargets(runs: RunView[]): TargetResult[] {
  const out: TargetResult[] = [];
  const get = (sc: string, srv: string, round: number): RunView | undefined => byRound(runs, sc, srv).get(round);
  out.push(
    perRound(runs, 'fanout500 deliveries/s >= 1.0x noderelay and >= 4x the better C server, no round ended by one failing step below that', (i) => {
      const t = get('fanout500', 'tincan', i);
      const nr = get('fanout500', 'noderelay', i)?.value;
      const c = bestOf([get('fanout500', 'ngircd', i)?.value, get('fanout500', 'inspircd', i)?.value], Math.max);
      if (t?.value == null || nr == null || c === null) return { ok: null, detail: 'missing' };
      const okRatio = t.value >= nr && t.value >= 4 * c;
      const oneStep = t.endedBy?.oneStep === true && !okRatio;
      return {
        ok: okRatio,
        detail: `x${(t.value / nr).toFixed(2)} noderelay, x${(t.value / c).toFixed(2)} best C${oneStep ? `; ended by one step at ${fmt(t.endedBy!.rate)} msgs/s (${t.endedBy!.reason})` : ''}`,
      };
    }),
  );
  out.push(
    perRound(runs, 'dm500 half-rate p99 <= the better C server', (i) => {
      const t = get('dm500', 'tincan', i)?.second;
      const c = bestOf([get('dm500', 'ngircd', i)?.second, get('dm500', 'inspircd', i)?.second], Math.min);
      if (t == null || c === null) return { ok: null, detail: 'missing' };
      return { ok: t <= c, detail: `${fmt(t)} ms vs ${fmt(c)} ms` };
    }),
  );
  out.push(
    perRound(runs, 'lat500 p99 <= 1.5x relay', (i) => {
      const t = get('lat500', 'tincan', i);
      const r = get('lat500', 'relay', i)?.second;
      if (t?.second == null || r == null) return { ok: null, detail: 'missing' };
      return { ok: t.second <= 1.5 * r && (t.third ?? 0) >= 1, detail: `${fmt(t.second)} ms vs relay ${fmt(r)} ms (x${(t.second / r).toFixed(2)}), delivered ${t.third?.toFixed(5)}` };
    }),
  );
  out.push(
    perRound(runs, 'event-loop delay max <= 20 ms in every step at or below half the max rate', (i) => {
      // the issue's message scenarios; opt-in ones (fanout2000) are reported, not judged
      const rs = runs.filter((r) => r.server === 'tincan' && r.round === i && ELD_SCENARIOS.includes(r.scenario) && r.error === null);
      if (rs.length === 0 || rs.some((r) => r.eldHalf === null)) return { ok: null, detail: rs.length === 0 ? 'missing' : 'no probe data' };
      const bad = rs.filter((r) => r.eldHalf!.max > 20);
      return { ok: bad.length === 0, detail: rs.map((r) => `${r.scenario} ${fmt(r.eldHalf!.max)} ms`).join(', ') };
    }),
  );
  out.push(
    perRound(runs, 'conn10k <= 5.5 KB per idle connection, registrations/s >= noderelay', (i) => {
      const t = get('conn10k', 'tincan', i);
      const nr = get('conn10k', 'noderelay', i);
      if (t?.second == null || t.value === null || nr?.value == null) return { ok: null, detail: 'missing' };
      const ok = t.second <= 5.5 * 1024 && t.value >= nr.value && t.third === 10000;
      return { ok, detail: `${(t.second / 1024).toFixed(1)} KB/conn; ${fmt(t.value)} vs noderelay ${fmt(nr.value)} reg/s; registered ${t.third}` };
    }),
  );
  return out;
}

export function formatTargets(ts: TargetResult[]): string {
  const lines = ['', 'targets (issue 17; checked in every round: PASS only if every round passes)', '| target | result | per round |', '|---|---|---|'];
  for (const t of ts) {
    const per = t.rounds.map((r) => `r${r.round} ${r.ok === null ? 'n/a' : r.ok ? 'pass' : 'FAIL'}: ${r.detail}`).join('; ');
    lines.push(`| ${t.name} | ${t.ok === null ? 'n/a' : t.ok ? 'PASS' : 'FAIL'} | ${per} |`);
  }
  return lines.join('\n');
}

// ---- soak ----------------------------------------------------------------------------------

export interface SoakMinute {
  minute: number;
  p99: number | null;
  rssBytes: number | null;
  eld: Eld | null;
  pass: boolean;
}

export interface SoakVerdict {
  minutes: SoakMinute[];
  ok: boolean | null;
  detail: string;
}

/** A soak run (one sweep of equal-rate 60 s steps): last minute within 10 % of the second. */
export function soakVerdict(r: RunView, tolerance = 0.1): SoakVerdict {
  const minutes = r.steps.filter((s) => !s.half).map((s, i) => ({ minute: i + 1, p99: s.p99, rssBytes: s.rssBytes, eld: s.eld, pass: s.pass }));
  const second = minutes[1];
  const last = minutes[minutes.length - 1];
  if (second === undefined || last === undefined || minutes.length < 3) return { minutes, ok: null, detail: `only ${minutes.length} minute(s) ran` };
  const within = (a: number | null, b: number | null): boolean | null => (a === null || b === null ? null : Math.abs(a - b) <= tolerance * b);
  const rss = within(last.rssBytes, second.rssBytes);
  const p99 = within(last.p99, second.p99);
  const failed = minutes.find((m) => !m.pass);
  const ok = failed !== undefined ? false : rss === null || p99 === null ? null : rss && p99;
  const mib = (b: number | null): string => (b === null ? '-' : (b / 1048576).toFixed(1) + ' MiB');
  return {
    minutes,
    ok,
    detail:
      `RSS ${mib(second.rssBytes)} -> ${mib(last.rssBytes)}, p99 ${fmt(second.p99)} -> ${fmt(last.p99)} ms (minute 2 -> ${last.minute})` +
      (failed ? `; minute ${failed.minute} failed` : ''),
  };
}

export function formatSoak(r: RunView): string {
  const v = soakVerdict(r);
  const lines = ['', `soak (${r.server}, round ${r.round}): ${v.ok === null ? 'n/a' : v.ok ? 'PASS' : 'FAIL'}: ${v.detail}`, '| minute | p99 ms | RSS MiB | loop delay max / p99 ms | result |', '|---|---|---|---|---|'];
  for (const m of v.minutes) {
    lines.push(`| ${m.minute} | ${fmt(m.p99)} | ${m.rssBytes === null ? '-' : (m.rssBytes / 1048576).toFixed(1)} | ${m.eld === null ? '-' : `${fmt(m.eld.max)} / ${fmt(m.eld.p99)}`} | ${m.pass ? 'pass' : 'FAIL'} |`);
  }
  return lines.join('\n');
}
