import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineEditor } from '../../../src/clients/tui/line-editor.js';

test('insert, move by grapheme, backspace and delete (emoji and combining marks are one step)', () => {
  const ed = new LineEditor();
  ed.insert('a👍🏽é\u0301b');
  assert.equal(ed.cursor, ed.text.length);
  ed.left(); // before b
  ed.left(); // before é+combining
  ed.backspace(); // removes the thumbs-up with its skin tone
  assert.equal(ed.text, 'aé\u0301b');
  ed.del(); // removes é + combining accent together
  assert.equal(ed.text, 'ab');
  assert.equal(ed.cursor, 1);
  ed.insert('\x1b[31mX\r\n');
  assert.equal(ed.text, 'a[31mX b', 'control characters never reach the line');
});

test('Ctrl+W, Ctrl+U, Ctrl+K and word moves', () => {
  const ed = new LineEditor();
  ed.insert('one two  three');
  ed.deleteWord();
  assert.equal(ed.text, 'one two  ');
  ed.wordLeft();
  assert.equal(ed.cursor, 4);
  ed.killEnd();
  assert.equal(ed.text, 'one ');
  ed.insert('x');
  ed.home();
  ed.wordRight();
  assert.equal(ed.cursor, 3);
  ed.killStart();
  assert.equal(ed.text, ' x');
});

test('history: Up/Down walk sent lines and give back the draft', () => {
  const ed = new LineEditor();
  ed.insert('first');
  assert.equal(ed.submit(), 'first');
  ed.insert('second');
  ed.submit();
  ed.insert('second');
  ed.submit(); // a repeat is stored once
  ed.insert('draft');
  ed.historyUp();
  assert.equal(ed.text, 'second');
  ed.historyUp();
  assert.equal(ed.text, 'first');
  ed.historyUp();
  assert.equal(ed.text, 'first', 'stops at the oldest');
  ed.historyDown();
  assert.equal(ed.text, 'second');
  ed.historyDown();
  assert.equal(ed.text, 'draft', 'the draft comes back');
  assert.equal(ed.cursor, 'draft'.length);
});

test('view keeps the cursor visible in a narrow field, counting wide characters as two columns', () => {
  const ed = new LineEditor();
  ed.insert('界'.repeat(30));
  const v = ed.view(20);
  assert.ok(v.cursorCol <= 19 && v.cursorCol >= 0);
  assert.ok([...v.text].length * 2 <= 20);
  ed.home();
  const h = ed.view(20);
  assert.equal(h.cursorCol, 0);
  assert.ok(h.text.startsWith('界'));
  const short = new LineEditor();
  short.insert('hi');
  assert.deepEqual(short.view(20), { text: 'hi', cursorCol: 2 });
});
