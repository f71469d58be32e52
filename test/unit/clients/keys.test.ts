import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyParser, MAX_PASTE_CHARS } from '../../../src/clients/tui/keys.js';

const names = (data: string): string[] =>
  new KeyParser().feed(data).map((k) => `${k.ctrl ? 'C-' : ''}${k.meta ? 'M-' : ''}${k.shift ? 'S-' : ''}${k.name === 'char' ? k.ch : k.name}`);

test('arrows (CSI and SS3), paging, delete, home/end', () => {
  assert.deepEqual(names('\x1b[A\x1bOB\x1b[C\x1b[D'), ['up', 'down', 'right', 'left']);
  assert.deepEqual(names('\x1b[5~\x1b[6~\x1b[3~\x1b[1~\x1b[4~\x1b[H\x1bOF'), ['pageup', 'pagedown', 'delete', 'home', 'end', 'home', 'end']);
  assert.deepEqual(names('\x1b[1;5C'), ['C-right']);
});

test('text, UTF-8, control keys, Alt+digit, Enter, Tab, Backspace', () => {
  assert.deepEqual(names('hé😀'), ['h', 'é', '😀']);
  assert.deepEqual(names('\x0e\x10\x03\x17'), ['C-n', 'C-p', 'C-c', 'C-w']);
  assert.deepEqual(names('\x1b1\x1b9'), ['M-1', 'M-9']);
  assert.deepEqual(names('\r\t\x7f\x1b[Z'), ['enter', 'tab', 'backspace', 'S-tab']);
  assert.deepEqual(names('\x1b'), ['escape']);
});

test('bracketed paste arrives as one piece, even across chunks', () => {
  const p = new KeyParser();
  assert.deepEqual(p.feed('\x1b[200~line one\nli'), []);
  const k = p.feed('ne two\x1b[201~x');
  assert.equal(k[0]?.name, 'paste');
  assert.equal(k[0]?.ch, 'line one\nline two');
  assert.equal(k[1]?.ch, 'x');
});

test('a bracketed paste is bounded however much arrives before its end', () => {
  const p = new KeyParser();
  p.feed('\x1b[200~');
  for (let i = 0; i < 40; i++) p.feed('y'.repeat(10_000));
  const k = p.feed('\x1b[201~');
  assert.equal(k[0]?.name, 'paste');
  assert.equal(k[0]?.ch?.length, MAX_PASTE_CHARS);
});
