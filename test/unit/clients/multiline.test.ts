/**
 * draft/multiline in the shared client: text with line breaks sent as one batch (long
 * lines in concat pieces, several batches past max-bytes/max-lines), separate lines
 * without the cap; received batches (live and nested in CHATHISTORY) become one
 * message with its line breaks, bounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registeredClient } from './registered-client.js';
import { concatPieces, multilineBatches } from '../../../src/clients/shared/multiline.js';
import { LineEditor } from '../../../src/clients/tui/line-editor.js';
import { renderLine } from '../../../src/clients/tui/format.js';
import { formatPlain } from '../../../src/clients/tui/line-mode.js';

const fake = (caps: string, offered = caps) => registeredClient(caps, 'CHANTYPES=# CHATHISTORY=100', offered);

test('concat pieces: cut after a space (kept) so joining gives the line back; no space: a hard cut', () => {
  const line = 'alpha beta gamma delta';
  const p = concatPieces(line, 12);
  assert.deepEqual(p, ['alpha beta ', 'gamma delta']);
  assert.equal(p.join(''), line);
  assert.deepEqual(concatPieces('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
  const emoji = '😀😀😀';
  assert.deepEqual(concatPieces(emoji, 5), ['😀', '😀', '😀'], 'never inside a code point');
});

test('batches: blank lines inside kept, outer ones dropped, split by max-lines and max-bytes, never starting with concat', () => {
  assert.deepEqual(multilineBatches('\n\nfirst\n\nthird\n\n', 400, 4096, 100), [
    [
      { text: 'first', concat: false },
      { text: '', concat: false },
      { text: 'third', concat: false },
    ],
  ]);
  const five = multilineBatches('1\n2\n3\n4\n5', 400, 4096, 2);
  assert.deepEqual(five.map((b) => b.map((x) => x.text)), [['1', '2'], ['3', '4'], ['5']]);
  const bytes = multilineBatches('aaaa\nbbbb\ncccc', 400, 9, 100);
  assert.deepEqual(bytes.map((b) => b.map((x) => x.text)), [['aaaa', 'bbbb'], ['cccc']]);
  const long = multilineBatches('x '.repeat(30).trim() + '\nend', 20, 4096, 100)[0]!;
  assert.equal(long[0]!.concat, false);
  assert.ok(long.slice(1, -1).every((x) => x.concat));
  assert.equal(long.at(-1)!.concat, false);
  assert.deepEqual(multilineBatches('\n \n', 400, 4096, 100), [], 'only blank lines: nothing');
});

test('sent as one draft/multiline batch when the server has the cap; one line each without it', () => {
  const f = fake('batch message-tags draft/multiline=max-bytes=4096,max-lines=24');
  f.c.say('#a', 'line one\n\nline three', false, 'p1');
  assert.deepEqual(f.sent, [
    '@+draft/reply=p1 BATCH +ml1 draft/multiline #a',
    '@batch=ml1 PRIVMSG #a :line one',
    '@batch=ml1 PRIVMSG #a :',
    '@batch=ml1 PRIVMSG #a :line three',
    'BATCH -ml1',
  ]);
  // no echo-message: shown at once, as one message with its lines
  const last = f.c.find('#a')!.lines.at(-1)!;
  assert.equal(last.text, 'line one\n\nline three');
  assert.equal(last.replyTo, 'p1');
  const g = fake('batch message-tags');
  g.c.say('#a', 'line one\n\nline three');
  assert.deepEqual(g.sent, ['PRIVMSG #a :line one', 'PRIVMSG #a :line three']);
  // the cap without batch is no cap
  const h = fake('draft/multiline');
  h.c.say('#a', 'a\nb');
  assert.deepEqual(h.sent, ['PRIVMSG #a a', 'PRIVMSG #a b']);
});

test('received: one message with its lines (concat joined), ours via echo; nested in CHATHISTORY; bounded', () => {
  const f = fake('batch message-tags echo-message server-time draft/multiline draft/chathistory', 'batch message-tags echo-message server-time draft/multiline=max-bytes=4096 draft/chathistory');
  f.recv(
    '@time=2026-01-01T10:00:00.000Z;msgid=M1;+draft/reply=P :ana!u@h BATCH +s1 draft/multiline #a',
    '@batch=s1 :ana!u@h PRIVMSG #a :def f():',
    '@batch=s1 :ana!u@h PRIVMSG #a :    return 1',
    '@batch=s1;draft/multiline-concat :ana!u@h PRIVMSG #a : # one',
    ':ana!u@h BATCH -s1',
  );
  const a = f.c.find('#a')!;
  const m = a.lines.at(-1)!;
  assert.equal(m.text, 'def f():\n    return 1 # one');
  assert.equal(m.msgid, 'M1');
  assert.equal(m.nick, 'ana');
  assert.equal(m.replyTo, 'P');
  assert.equal(a.lines.filter((l) => l.kind === 'message').length, 1, 'one message, not three');
  // history: the multiline batch nested in the chathistory one
  f.c.history('#a', 10);
  f.recv(
    ':srv BATCH +h1 chathistory #a',
    '@batch=h1;time=2026-01-01T09:00:00.000Z;msgid=OLD :bo!u@h BATCH +s2 draft/multiline #a',
    '@batch=s2 :bo!u@h PRIVMSG #a :old 1',
    '@batch=s2 :bo!u@h PRIVMSG #a :old 2',
    '@batch=h1 :bo!u@h BATCH -s2',
    ':srv BATCH -h1',
  );
  const old = a.lines.find((l) => l.msgid === 'OLD')!;
  assert.equal(old.text, 'old 1\nold 2');
  assert.equal(old.history, true);
  // a server sending an endless batch: kept up to the bound, not more
  f.recv(':zed!u@h BATCH +big draft/multiline #a');
  for (let i = 0; i < 1500; i++) f.recv(`@batch=big :zed!u@h PRIVMSG #a :l${i}`);
  f.recv(':zed!u@h BATCH -big');
  assert.equal(a.lines.at(-1)!.text.split('\n').length, 1000);
});

test('terminal: a paste keeps its lines, Enter gives them as "\\n"; shown as one block, line mode prefixes each', () => {
  const ed = new LineEditor();
  ed.insert('look: ');
  ed.paste('a\r\nb\n\tc');
  assert.equal(ed.text, 'look: a\u2424b\u2424    c');
  assert.equal(ed.submit(), 'look: a\nb\n    c');
  ed.paste('x'.repeat(100_000));
  assert.equal(ed.text.length, 64 * 1024, 'a paste is bounded');
  const l = { id: 1, time: new Date(2026, 0, 1, 9, 5), kind: 'message' as const, nick: 'bo', text: 'one\ntwo\x1b[2J', self: false, mention: false, history: false };
  const rows = renderLine(l, 40).map((r) => r.replace(/\x1b\[[0-9;]*m/g, ''));
  assert.deepEqual(rows, ['09:05 <bo> one', '           two[2J']);
  const b = { kind: 'channel', name: '#a' } as Parameters<typeof formatPlain>[0];
  assert.equal(formatPlain(b, l), '[09:05] #a <bo> one\n[09:05] #a <bo> two[2J');
});

test('a multiline message nested in a SEARCH batch is one result, not a new message in the room', () => {
  const f = fake('batch message-tags server-time draft/multiline');
  f.recv(':srv 004 me srv tincan-0.1.0 i o', ':srv 005 me CHATHISTORY=100 :ok');
  const before = f.c.find('#a')!.lines.length;
  assert.equal(f.c.search('#a', 'needle'), null);
  f.recv(
    ':srv BATCH +q1 search',
    '@batch=q1;time=2026-01-01T09:00:00.000Z;msgid=S1 :bo!u@h BATCH +m1 draft/multiline #a',
    '@batch=m1 :bo!u@h PRIVMSG #a :a needle',
    '@batch=m1 :bo!u@h PRIVMSG #a :and more',
    '@batch=q1 :bo!u@h BATCH -m1',
    ':srv BATCH -q1',
  );
  assert.equal(f.c.searchResults?.results.length, 1);
  assert.equal(f.c.searchResults?.results[0]?.text, 'a needle\nand more');
  assert.ok(!f.c.find('#a')!.lines.slice(before).some((l) => l.kind === 'message'), 'no live message added');
  assert.ok(f.c.active.lines.some((l) => l.text === 'Search: 1 result'));
});
