#!/usr/bin/env node
// bench/targets.mjs OUT_DIR - issue 17's targets, checked in EVERY round of a
// compare.sh run (PASS only when every round passes). The logic is bench/report-lib.ts
// (unit-tested in test/unit/bench/); this entry point loads it through tsx.
import { register } from 'tsx/esm/api';

register();
process.argv.push('--targets-only');
await import('./report.ts');
