import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Completer, type CompletionSource } from '../../../src/clients/tui/completion.js';
import { LineEditor } from '../../../src/clients/tui/line-editor.js';

const src: CompletionSource = {
  commands: ['join', 'part', 'msg', 'me', 'help'],
  rooms: ['#lobby', '#lounge'],
  nicks: ['Alice', 'albert', 'bob'],
  fold: (s) => s.toLowerCase(),
};

function typed(s: string): LineEditor {
  const ed = new LineEditor();
  ed.insert(s);
  return ed;
}

test('a nick at the start of the line gets ": "; Tab again cycles', () => {
  const c = new Completer();
  const ed = typed('al');
  assert.ok(c.complete(ed, src));
  assert.equal(ed.text, 'Alice: ');
  c.complete(ed, src);
  assert.equal(ed.text, 'albert: ');
  c.complete(ed, src);
  assert.equal(ed.text, 'Alice: ', 'wraps around');
});

test('mid-line nicks get a space; text after the cursor stays', () => {
  const c = new Completer();
  const ed = typed('hi bo and more');
  ed.set(ed.text, 'hi bo'.length);
  c.complete(ed, src);
  assert.equal(ed.text, 'hi bob and more');
  assert.equal(ed.cursor, 'hi bob '.length);
});

test('commands at the start, rooms by #, nothing for no match', () => {
  const c = new Completer();
  const ed = typed('/he');
  c.complete(ed, src);
  assert.equal(ed.text, '/help ');
  c.reset();
  const r = typed('/join #lou');
  c.complete(r, src);
  assert.equal(r.text, '/join #lounge ');
  c.reset();
  const n = typed('zz');
  assert.equal(c.complete(n, src), false);
  assert.equal(n.text, 'zz');
});
