// Unit tests for parse(): structure, errors and the byte limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../../src/protocol/parse.js';
import type { ParseResult } from '../../../src/protocol/message.js';

function ok(r: ParseResult) {
  assert.ok(r.ok, `expected ok, got ${JSON.stringify(r)}`);
  return r.msg;
}

test('parses tags, source, command and params', () => {
  const m = ok(parse('@id=1;+draft/x :nick!u@h privmsg #c :hi there'));
  assert.deepEqual([...(m.tags ?? [])], [['id', '1'], ['+draft/x', '']]);
  assert.equal(m.source, 'nick!u@h');
  assert.equal(m.command, 'PRIVMSG');
  assert.deepEqual(m.params, ['#c', 'hi there']);
});

test('leading spaces and repeated spaces are tolerated', () => {
  const m = ok(parse('   NICK    bob   '));
  assert.equal(m.command, 'NICK');
  assert.deepEqual(m.params, ['bob']);
  assert.equal(m.source, null);
  assert.equal(m.tags, null);
});

test('keeps more than 15 params', () => {
  const ps = Array.from({ length: 20 }, (_, i) => `p${i}`);
  assert.deepEqual(ok(parse('CMD ' + ps.join(' '))).params, ps);
});

test('numeric commands: exactly 3 digits', () => {
  assert.equal(ok(parse(':s 001 nick :hi')).command, '001');
  assert.deepEqual(parse('01 x'), { ok: false, error: 'invalid-command', command: '01' });
  assert.deepEqual(parse('0011 x'), { ok: false, error: 'invalid-command', command: '0011' });
  assert.deepEqual(parse('PRIV1 x'), { ok: false, error: 'invalid-command', command: 'PRIV1' });
  assert.deepEqual(parse('P-M x'), { ok: false, error: 'invalid-command', command: 'P-M' });
});

test('error kinds', () => {
  assert.deepEqual(parse(''), { ok: false, error: 'empty' });
  assert.deepEqual(parse('   '), { ok: false, error: 'empty' });
  assert.deepEqual(parse(' \t '), { ok: false, error: 'empty' });
  assert.deepEqual(parse('@'), { ok: false, error: 'malformed-tags' });
  assert.deepEqual(parse('@ PING'), { ok: false, error: 'malformed-tags' });
  assert.deepEqual(parse('@=x PING'), { ok: false, error: 'malformed-tags' });
  assert.deepEqual(parse('@a b=c PING'), { ok: false, error: 'invalid-command', command: 'b=c' });
  assert.deepEqual(parse('@a=b'), { ok: false, error: 'no-command' });
  assert.deepEqual(parse('@a=b   '), { ok: false, error: 'no-command' });
  assert.deepEqual(parse(': PING'), { ok: false, error: 'malformed-source' });
  assert.deepEqual(parse(':'), { ok: false, error: 'malformed-source' });
  assert.deepEqual(parse(':src'), { ok: false, error: 'no-command' });
  assert.deepEqual(parse(':src   '), { ok: false, error: 'no-command' });
  assert.deepEqual(parse('\tPING'), { ok: false, error: 'invalid-command', command: '\tPING' });
});

test('body limit: 510 bytes ok, 511 bytes input-too-long (with command)', () => {
  const head = 'PRIVMSG #c :';
  const at510 = head + 'a'.repeat(510 - head.length);
  assert.equal(ok(parse(at510)).params[1]?.length, 510 - head.length);
  const r = parse(at510 + 'a');
  assert.deepEqual(r, { ok: false, error: 'input-too-long', command: 'PRIVMSG' });
  assert.deepEqual(parse(':' + 'x'.repeat(600) + ' privmsg a'), { ok: false, error: 'input-too-long', command: 'PRIVMSG' });
  assert.deepEqual(parse('PR1VMSG ' + 'a'.repeat(600)), { ok: false, error: 'input-too-long' });
});

test('body limit counts UTF-8 bytes, not UTF-16 units', () => {
  const head = 'PRIVMSG #c :'; // 12 bytes
  assert.ok(parse(head + 'é'.repeat(249)).ok); // 12 + 498 = 510
  assert.deepEqual(parse(head + 'é'.repeat(249) + 'a'), { ok: false, error: 'input-too-long', command: 'PRIVMSG' });
  assert.ok(parse(head + '😀'.repeat(124) + 'aa').ok); // 12 + 496 + 2 = 510
  assert.equal(parse(head + '😀'.repeat(124) + 'aaa').ok, false);
  assert.ok(parse(head + '€'.repeat(166)).ok); // 12 + 498
  assert.equal(parse(head + '€'.repeat(167)).ok, false);
});

test('tags do not count toward the body limit', () => {
  const tags = '@x=' + 'v'.repeat(4000) + ' ';
  const body = 'PRIVMSG #c :' + 'a'.repeat(498);
  assert.ok(parse(tags + body).ok);
});

test('tag section limit: 8191 bytes incl. @ and space ok, 8192 too long', () => {
  const mk = (n: number) => '@k=' + 'v'.repeat(n - 4) + ' '; // n bytes incl '@' and ' '
  assert.equal(mk(8191).length, 8191);
  assert.ok(parse(mk(8191) + 'PING').ok);
  assert.deepEqual(parse(mk(8192) + 'PING'), { ok: false, error: 'tags-too-long' });
  assert.deepEqual(parse('@k=' + 'é'.repeat(4094) + ' PING'), { ok: false, error: 'tags-too-long' }); // 4+8188 bytes
  assert.ok(parse('@k=' + 'é'.repeat(4093) + ' PING').ok);
});

test('trailing param edge cases', () => {
  assert.deepEqual(ok(parse('TOPIC #c :')).params, ['#c', '']);
  assert.deepEqual(ok(parse('TOPIC #c ::x')).params, ['#c', ':x']);
  assert.deepEqual(ok(parse('X a:b c')).params, ['a:b', 'c']);
  assert.deepEqual(ok(parse('X :')).params, ['']);
});
