#!/usr/bin/env node
// bench/targets.mjs OUT_DIR - checks one compare.sh run against issue 8's targets.
// Reads OUT_DIR/round*/<scenario>-<server>.json, takes the median over rounds (as
// compare.sh's table does) and prints one line per target: PASS / FAIL / n/a, with the
// ratio it was judged on. Ratios only: absolute figures are not comparable across runs.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const out = process.argv[2];
if (!out || !existsSync(out)) {
  console.error('usage: node bench/targets.mjs OUT_DIR');
  process.exit(2);
}

/** rows[scenario][server] = [{...}, ...] one per round */
const rows = {};
for (const r of readdirSync(out).filter((d) => /^round\d+$/.test(d))) {
  for (const f of readdirSync(join(out, r)).filter((f) => f.endsWith('.json'))) {
    let d;
    try {
      d = JSON.parse(readFileSync(join(out, r, f), 'utf8'));
    } catch {
      continue;
    }
    const base = f.slice(0, -5);
    const i = base.lastIndexOf('-');
    const sc = base.slice(0, i);
    const srv = base.slice(i + 1);
    let v = null;
    if (d.scenario === 'conn') {
      const reg = d.registration ?? {};
      v = { regPerS: reg.per_s, bytesPerConn: d.bytes_per_conn, registered: reg.registered, attempted: reg.attempted };
    } else if (d.mode === 'fixed') {
      const res = d.result ?? {};
      v = { dps: res.deliveries_per_s_achieved, p99: res.latency_ms?.p99, fraction: res.delivered_fraction };
    } else if ('max_sustainable_rate_msgs_per_s' in d) {
      v = { dps: d.max_sustainable_deliveries_per_s, p99Half: d.half_rate_step?.latency_ms?.p99 };
    }
    if (v !== null) ((rows[sc] ??= {})[srv] ??= []).push(v);
  }
}

function med(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}
const get = (sc, srv, k) => med((rows[sc]?.[srv] ?? []).map((v) => v[k]));
const best = (vals, pick) => {
  const v = vals.filter((x) => x !== null);
  return v.length ? pick(...v) : null;
};
const f = (x, d = 2) => (x === null ? '-' : x.toFixed(d));

const lines = [];
function target(name, ok, detail) {
  lines.push(`| ${name} | ${ok === null ? 'n/a' : ok ? 'PASS' : 'FAIL'} | ${detail} |`);
}

// fanout500
{
  const t = get('fanout500', 'tincan', 'dps');
  const refs = best([get('fanout500', 'ngircd', 'dps'), get('fanout500', 'inspircd', 'dps')], Math.max);
  const nr = get('fanout500', 'noderelay', 'dps');
  const r1 = t !== null && refs !== null ? t / refs : null;
  target('fanout500 deliveries/s >= 2x best of ngIRCd/InspIRCd', r1 === null ? null : r1 >= 2, `tincan/best C = ${f(r1)} (need 2.00)`);
  const r2 = t !== null && nr !== null ? t / nr : null;
  target('fanout500 deliveries/s >= 0.5x noderelay', r2 === null ? null : r2 >= 0.5, `tincan/noderelay = ${f(r2)} (need 0.50)`);
}
// lat500
{
  const t = get('lat500', 'tincan', 'p99');
  const tf = get('lat500', 'tincan', 'fraction');
  const refs = best([get('lat500', 'ngircd', 'p99'), get('lat500', 'inspircd', 'p99')], Math.min);
  const ok = t !== null && refs !== null ? t <= refs : null;
  target('lat500 p99 <= best of ngIRCd/InspIRCd', ok, `tincan ${f(t, 1)} ms vs best C ${f(refs, 1)} ms`);
  target('lat500 everything delivered', tf === null ? null : tf >= 1, `tincan delivered fraction ${f(tf, 5)}`);
}
// dm500
{
  const t = get('dm500', 'tincan', 'dps');
  const refs = best([get('dm500', 'ngircd', 'dps'), get('dm500', 'inspircd', 'dps')], Math.max);
  const r = t !== null && refs !== null ? t / refs : null;
  target('dm500 deliveries/s >= best of ngIRCd/InspIRCd', r === null ? null : r >= 1, `tincan/best C = ${f(r)} (need 1.00)`);
}
// conn10k
{
  const b = get('conn10k', 'tincan', 'bytesPerConn');
  const nb = get('conn10k', 'noderelay', 'bytesPerConn');
  target('conn10k memory per idle connection <= 19 KB', b === null ? null : b <= 19 * 1024, `tincan ${b === null ? '-' : (b / 1024).toFixed(1)} KB/conn; noderelay ${nb === null ? '-' : (nb / 1024).toFixed(1)} KB/conn`);
  const reg = get('conn10k', 'tincan', 'regPerS');
  const got = get('conn10k', 'tincan', 'registered');
  const ng = get('conn10k', 'ngircd', 'regPerS');
  const r = reg !== null && ng !== null ? reg / ng : null;
  target('conn10k registrations/s >= ngIRCd', r === null ? null : r >= 1 && got === 10000, `tincan/ngIRCd = ${f(r)}; tincan registered ${got ?? '-'}/10000`);
}

console.log('\ntargets (issue 8; medians over rounds, ratios from this run)');
console.log('| target | result | measured |');
console.log('|---|---|---|');
for (const l of lines) console.log(l);
