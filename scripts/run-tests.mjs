#!/usr/bin/env node
// Runs every *.test.ts under the given folders (default: test/) with node:test via tsx.
// Node 20's --test does not expand globs, so the file list is built here.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const extra = process.argv.slice(2).filter((a) => a.startsWith('-'));
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) files.push(p);
  }
}
for (const r of roots.length ? roots : ['test']) {
  if (statSync(r).isFile()) files.push(r);
  else walk(r);
}
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const configHome = mkdtempSync(join(tmpdir(), 'tincan-test-config-'));
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...extra, ...files],
  // a fresh config directory: `tincan chat` pins certificates there (never the user's own)
  { stdio: 'inherit', env: { ...process.env, XDG_CONFIG_HOME: configHome } },
);
rmSync(configHome, { recursive: true, force: true });
process.exit(res.status ?? 1);
