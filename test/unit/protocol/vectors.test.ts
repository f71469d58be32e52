// ircdocs/parser-tests vectors, read in place from ../shared/vectors (never copied into the project).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { parse } from '../../../src/protocol/parse.js';
import { serialize } from '../../../src/protocol/serialize.js';
import { matchMask, splitUserhost } from '../../../src/protocol/mask.js';
import { isValidHostname } from '../../../src/protocol/validate.js';
import type { IrcMessage } from '../../../src/protocol/message.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const dir = process.env['TINCAN_VECTORS_DIR'] ?? path.resolve(repoRoot, '../shared/vectors/ircdocs-parser-tests');

interface Atoms {
  tags?: Record<string, string>;
  source?: string;
  verb: string;
  params?: string[];
}

/** Loads a vector file, or returns a skip reason. */
function load<T>(file: string): { tests: T[] } | string {
  const p = path.join(dir, file);
  if (!existsSync(p)) return `ircdocs vector file ${p} not found (set TINCAN_VECTORS_DIR to its folder)`;
  return parseYaml(readFileSync(p, 'utf8')) as { tests: T[] };
}

function suite<T>(file: string, name: (v: T, i: number) => string, body: (v: T) => void): void {
  const data = load<T>(file);
  if (typeof data === 'string') {
    test(file, { skip: data }, () => {});
    return;
  }
  test(`${file} has vectors`, () => assert.ok(data.tests.length > 0));
  data.tests.forEach((v, i) => test(`${file} #${i}: ${name(v, i)}`, () => body(v)));
}

suite<{ input: string; atoms: Atoms }>('msg-split.yaml', (v) => JSON.stringify(v.input), (v) => {
  const r = parse(v.input);
  assert.ok(r.ok, `parse failed: ${JSON.stringify(r)}`);
  const { msg } = r;
  assert.deepEqual(msg.tags === null ? null : Object.fromEntries(msg.tags), v.atoms.tags ?? null);
  assert.equal(msg.source, v.atoms.source ?? null);
  assert.equal(msg.command, v.atoms.verb.toUpperCase());
  assert.deepEqual(msg.params, v.atoms.params ?? []);
});

suite<{ desc?: string; atoms: Atoms; matches: string[] }>('msg-join.yaml', (v, i) => v.desc ?? String(i), (v) => {
  const msg: IrcMessage = {
    tags: v.atoms.tags ? new Map(Object.entries(v.atoms.tags)) : null,
    source: v.atoms.source ?? null,
    command: v.atoms.verb,
    params: v.atoms.params ?? [],
  };
  const line = serialize(msg);
  assert.ok(v.matches.includes(line), `${JSON.stringify(line)} not in ${JSON.stringify(v.matches)}`);
});

suite<{ mask: string; matches?: string[]; fails?: string[] }>('mask-match.yaml', (v) => v.mask, (v) => {
  for (const s of v.matches ?? []) assert.equal(matchMask(v.mask, s), true, `${v.mask} should match ${s}`);
  for (const s of v.fails ?? []) assert.equal(matchMask(v.mask, s), false, `${v.mask} should not match ${s}`);
});

suite<{ source: string; atoms: { nick?: string; user?: string; host?: string } }>(
  'userhost-split.yaml',
  (v) => JSON.stringify(v.source),
  (v) => {
    const r = splitUserhost(v.source);
    assert.deepEqual(
      { nick: r.nick, user: r.user ?? '', host: r.host ?? '' },
      { nick: v.atoms.nick ?? '', user: v.atoms.user ?? '', host: v.atoms.host ?? '' },
    );
  },
);

suite<{ host: string; valid: boolean }>('validate-hostname.yaml', (v) => JSON.stringify(v.host), (v) => {
  assert.equal(isValidHostname(v.host), v.valid);
});
