/** The plain dialect's numeric -> text table (src/dialects/plain/numerics.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NUMERIC_TEXT, fillTemplate } from '../../../src/dialects/plain/numerics.js';
import { cleanText } from '../../../src/dialects/plain.js';
import * as N from '../../../src/protocol/numerics.js';

test('every numeric template fills every slot', () => {
  for (const [code, rule] of NUMERIC_TEXT) {
    const line = fillTemplate(rule, ['me', 'p1', 'p2', 'p3', 'last words'], cleanText, 30);
    assert.doesNotMatch(line, /\{(\d|last|nicklen)(\|[^}]*)?\}/, `${code}: ${line}`);
    assert.match(line, /^[*!] /, `${code}: ${line}`);
  }
});

test('templates fill in one pass, clean what they insert, and use defaults', () => {
  const t = (code: string, p: string[]) => fillTemplate(NUMERIC_TEXT.get(code)!, p, cleanText, 30);
  // a parameter that looks like a slot is text, not a template
  assert.equal(t(N.ERR_NOSUCHNICK, ['me', '{2}', 'x']), '! There is no one called {2} here.');
  assert.equal(t(N.ERR_NOSUCHNICK, ['me', '\x02bo\x1b\u202eb']), '! There is no one called bob here.');
  assert.equal(t(N.RPL_WHOISIDLE, ['me', 'bob']), '* bob has been idle for ? seconds');
  assert.match(t(N.ERR_ERRONEUSNICKNAME, ['me', 'a b']), /at most 30 characters\.$/);
  assert.equal(t(N.ERR_NOSUCHCHANNEL, ['me', 'lobby', 'No such channel']), '! "lobby" is not a room name; room names start with #.');
  assert.equal(
    t(N.ERR_TOOMANYCHANNELS, ['me', '#x', 'Cannot create #x: too many rooms (LIST)']),
    '! Cannot create #x: too many rooms (/rooms)',
  );
});
