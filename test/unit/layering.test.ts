// The import graph keeps its layers (docs/architecture.md): read from the source files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

interface Import {
  file: string; // relative to src/, e.g. "core/session.ts"
  target: string; // relative to src/ for project files ("transports/connection.ts"), else the specifier
  typeOnly: boolean;
  text: string;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

// static imports and re-exports (possibly multi-line), and dynamic import('...')
const STATIC = /^\s*(import|export)\s+(type\s+)?([^;]*?)\s*from\s*['"]([^'"]+)['"]/gms;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(path: string): Import[] {
  const code = readFileSync(path, 'utf8');
  const file = relative(SRC, path);
  const out: Import[] = [];
  const add = (spec: string, typeOnly: boolean, text: string): void => {
    const target = spec.startsWith('.') ? relative(SRC, resolve(dirname(path), spec)).replace(/\.js$/, '.ts') : spec;
    out.push({ file, target, typeOnly, text: text.replace(/\s+/g, ' ') });
  };
  for (const m of code.matchAll(STATIC)) {
    // `import { type A, type B } from` is type-only too
    const names = m[3] ?? '';
    const allTypes = /^\{[^}]*\}$/.test(names.trim()) && names.replace(/[{}\s]/g, '').split(',').filter(Boolean).every((n) => n.startsWith('type'));
    add(m[4]!, m[2] !== undefined || allTypes, m[0]);
  }
  for (const m of code.matchAll(DYNAMIC)) add(m[1]!, false, m[0]);
  return out;
}

const ALL = sources(SRC).flatMap(importsOf);
const inside = (dir: string) => (i: Import) => i.file.startsWith(dir + '/');
const into = (dir: string) => (i: Import) => i.target.startsWith(dir + '/');
const show = (is: Import[]) => is.map((i) => `${i.file}: ${i.text}`).join('\n');

test('the import scan sees the imports it is meant to police', () => {
  // guards the regexes: if these are not found, the checks below prove nothing
  assert.ok(ALL.some((i) => i.file === 'core/session.ts' && i.target === 'transports/connection.ts' && i.typeOnly));
  assert.ok(ALL.some((i) => i.file === 'gateway.ts' && i.target === 'dialects/plain.ts' && !i.typeOnly));
  assert.ok(ALL.some((i) => i.file === 'cli/serve.ts' && i.target === 'core/server.ts' && !i.typeOnly), 'dynamic import');
  assert.ok(ALL.length > 200, `${ALL.length} imports`);
});

test('transports import no dialect', () => {
  assert.equal(show(ALL.filter(inside('transports')).filter(into('dialects'))), '');
});

test('core imports nothing from transports but the Connection contract, as types', () => {
  const bad = ALL.filter(inside('core'))
    .filter(into('transports'))
    .filter((i) => !(i.target === 'transports/connection.ts' && i.typeOnly));
  assert.equal(show(bad), '');
  assert.equal(show(ALL.filter(inside('core')).filter((i) => into('dialects')(i) || into('cli')(i) || into('clients')(i))), '');
});

test('config imports no transport, core or dialect', () => {
  const bad = ALL.filter(inside('config')).filter((i) => into('transports')(i) || into('core')(i) || into('dialects')(i));
  assert.equal(show(bad), '');
});

test('util and errors.ts import nothing from the project', () => {
  const bad = ALL.filter((i) => inside('util')(i) || i.file === 'errors.ts').filter((i) => i.text.includes("'.") || i.text.includes('".'));
  assert.equal(show(bad.filter((i) => !i.target.startsWith('util/'))), '');
});

test('protocol is pure: no node: modules, nothing outside protocol', () => {
  const bad = ALL.filter(inside('protocol')).filter((i) => i.target.startsWith('node:') || (i.text.includes("'.") && !into('protocol')(i)));
  assert.equal(show(bad), '');
});
