import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { version } from '../../../src/cli/main.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));

function run(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8', timeout: 20000 });
}

test('version() reads package.json', () => {
  assert.equal(version(), pkg.version);
});

test('tincan --version', () => {
  const r = run('--version');
  assert.equal(r.status, 0);
  assert.equal(r.stdout, `tincan ${pkg.version}\n`);
});

test('tincan --help lists serve', () => {
  const r = run('--help');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /Usage: tincan <command>/);
  assert.match(r.stdout, /serve/);
});

test('unknown command exits 2', () => {
  const r = run('frobnicate');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command 'frobnicate'/);
});

test('tincan serve --help prints usage, exit 0; unknown flag exits 2', () => {
  const h = run('serve', '--help');
  assert.equal(h.status, 0);
  assert.match(h.stdout, /Usage: tincan serve/);
  const b = run('serve', '--nope');
  assert.equal(b.status, 2);
  assert.match(b.stderr, /Unknown option '--nope'/);
});
