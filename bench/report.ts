/**
 * bench/report.ts OUT_DIR [--targets] - the bench's report from a compare.sh (or
 * bench/soak.sh) output directory: per scenario and server the median with min and max
 * over rounds, which step ended each sweep, tincan's event-loop delay per step, the soak
 * per minute, and (--targets) issue 17's targets checked in every round.
 * Run with `node --import tsx`; bench/targets.mjs is the targets-only entry point.
 */
import { existsSync } from 'node:fs';
import { checkTargets, formatReport, formatSoak, formatSteps, formatTargets, loadOut } from './report-lib.js';

const args = process.argv.slice(2);
const out = args.find((a) => !a.startsWith('--'));
if (out === undefined || !existsSync(out)) {
  console.error('usage: node --import tsx bench/report.ts OUT_DIR [--targets-only]');
  process.exit(2);
}
const runs = loadOut(out);
const soak = runs.filter((r) => r.scenario === 'soak');
const rest = runs.filter((r) => r.scenario !== 'soak');
if (!args.includes('--targets-only')) {
  if (rest.length > 0) {
    console.log(formatReport(rest));
    console.log(formatSteps(rest));
  }
  for (const r of soak) console.log(formatSoak(r));
}
if (rest.length > 0) console.log(formatTargets(checkTargets(rest)));
