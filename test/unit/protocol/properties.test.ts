// Property tests (fast-check): round trips and robustness of the protocol core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse } from '../../../src/protocol/parse.js';
import { serialize, truncateUtf8 } from '../../../src/protocol/serialize.js';
import { escapeTagValue, unescapeTagValue } from '../../../src/protocol/tags.js';
import { foldCase, type Casemapping } from '../../../src/protocol/casemap.js';
import { matchMask, compileMask, escapeMask } from '../../../src/protocol/mask.js';
import { utf8Length } from '../../../src/protocol/limits.js';
import type { IrcMessage } from '../../../src/protocol/message.js';

const RUNS = { numRuns: 500 };

/** Single UTF-16 units incl. lone surrogates, controls and IRC-significant characters. */
const anyUnit = fc.oneof(
  fc.constantFrom(' ', ':', '@', ';', '=', '\\', '!', '*', '?', '\0', '\r', '\n', '\t', '\x07', '\uD800', '\uDE00', 'a', 'A', '1', '[', '~', 'é'),
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const anyString = (maxLength = 40) => fc.string({ unit: anyUnit, maxLength });
const noBreaks = (s: string) => !/[\r\n\0]/.test(s);

const letters = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'), minLength: 1, maxLength: 12 });
const digits3 = fc.integer({ min: 0, max: 999 }).map((n) => String(n).padStart(3, '0'));
const command = fc.oneof(letters, digits3);
const source = fc.option(anyString(30).filter((s) => s !== '' && noBreaks(s) && !s.includes(' ')), { nil: null });
const middle = anyString(15).filter((s) => s !== '' && noBreaks(s) && !s.includes(' ') && !s.startsWith(':'));
const trailing = anyString(60).filter(noBreaks);
const tagKey = fc
  .tuple(
    fc.boolean(),
    fc.option(fc.stringMatching(/^[a-z0-9]+(\.[a-z0-9-]+)*$/), { nil: null }),
    fc.stringMatching(/^[A-Za-z0-9-]+$/),
  )
  .map(([client, vendor, name]) => (client ? '+' : '') + (vendor ? vendor + '/' : '') + name);
const tagValue = fc.string({ unit: 'binary', maxLength: 30 }).filter((s) => !s.includes('\0'));
const tags = fc.option(fc.uniqueArray(fc.tuple(tagKey, tagValue), { selector: ([k]) => k, minLength: 1, maxLength: 5 }).map((e) => new Map(e)), {
  nil: null,
});
const message: fc.Arbitrary<IrcMessage> = fc
  .record({
    tags,
    source,
    command,
    middles: fc.array(middle, { maxLength: 17 }),
    last: fc.option(trailing, { nil: null }),
  })
  .map(({ tags, source, command, middles, last }) => ({
    tags,
    source,
    command,
    params: last === null ? middles : [...middles, last],
  }));

function bodyBytes(line: string): number {
  return line.startsWith('@') ? utf8Length(line.slice(line.indexOf(' ') + 1)) : utf8Length(line);
}

test('parse(serialize(m)) round-trips', () => {
  fc.assert(
    fc.property(message, (m) => {
      const line = serialize(m);
      fc.pre(bodyBytes(line) + 2 <= 512);
      const r = parse(line);
      assert.ok(r.ok, JSON.stringify(r));
      assert.deepEqual(r.msg, m);
    }),
    { numRuns: 2000 },
  );
});

test('parse never throws and returns a well-formed result', () => {
  const lines = fc.oneof(anyString(80), fc.tuple(fc.constantFrom('@', ':', '@a=b :', ''), anyString(80)).map(([a, b]) => a + b));
  fc.assert(
    fc.property(lines, (s) => {
      const r = parse(s);
      if (r.ok) {
        assert.match(r.msg.command, /^([A-Z]+|\d{3})$/);
        assert.ok(Array.isArray(r.msg.params));
      } else {
        assert.equal(typeof r.error, 'string');
      }
    }),
    { numRuns: 3000 },
  );
});

test('escapeTagValue/unescapeTagValue round trip; escaped form has no separators', () => {
  fc.assert(
    fc.property(anyString(60), (v) => {
      const e = escapeTagValue(v);
      assert.ok(!/[ ;\r\n]/.test(e));
      assert.equal(unescapeTagValue(e), v);
    }),
    RUNS,
  );
});

test('foldCase is idempotent and length-preserving', () => {
  fc.assert(
    fc.property(anyString(40), fc.constantFrom<Casemapping>('rfc1459', 'ascii'), (s, cm) => {
      const f = foldCase(s, cm);
      assert.equal(foldCase(f, cm), f);
      assert.equal(f.length, s.length);
    }),
    RUNS,
  );
});

test("matchMask('*', s) is always true", () => {
  fc.assert(fc.property(anyString(), (s) => assert.ok(matchMask('*', s))), RUNS);
});

test('an escaped literal mask matches exactly its string', () => {
  fc.assert(
    fc.property(anyString(), anyString(), (s, other) => {
      assert.ok(matchMask(escapeMask(s), s));
      assert.equal(matchMask(escapeMask(s), other), s === other);
    }),
    RUNS,
  );
});

test('matchMask agrees with a regex reference on a small alphabet', () => {
  const ab = (max: number) => fc.string({ unit: fc.constantFrom('a', 'b', '*', '?', '\\'), maxLength: max });
  const toRegex = (mask: string) => {
    let re = '';
    for (let i = 0; i < mask.length; i++) {
      const c = mask[i] as string;
      if (c === '*') re += '[^]*';
      else if (c === '?') re += '[^]';
      else {
        const lit = c === '\\' && i + 1 < mask.length ? (mask[++i] as string) : c;
        re += /[a-z]/.test(lit) ? lit : '\\' + lit; // alphabet is a, b, *, ?, \
      }
    }
    return new RegExp('^' + re + '$');
  };
  fc.assert(
    fc.property(ab(8), ab(10), (mask, subj) => {
      assert.equal(matchMask(mask, subj), toRegex(mask).test(subj), `${mask} vs ${subj}`);
      assert.equal(compileMask(mask)(subj), matchMask(mask, subj));
    }),
    { numRuns: 3000 },
  );
});

test('utf8Length equals the TextEncoder byte length', () => {
  const enc = new TextEncoder();
  fc.assert(fc.property(anyString(60), (s) => assert.equal(utf8Length(s), enc.encode(s).length)), RUNS);
});

test('truncateUtf8 returns the longest fitting code-point prefix', () => {
  fc.assert(
    fc.property(anyString(40), fc.nat(100), (s, max) => {
      const t = truncateUtf8(s, max);
      assert.ok(s.startsWith(t));
      assert.ok(utf8Length(t) <= max);
      if (t !== s) {
        const next = s.codePointAt(t.length) as number;
        const ch = String.fromCodePoint(next);
        const nextUnit = next > 0xffff && s.length >= t.length + 2 && s.slice(t.length, t.length + 2) === ch ? ch : (s[t.length] as string);
        assert.ok(utf8Length(t + nextUnit) > max, 'could have kept one more code point');
      }
    }),
    RUNS,
  );
});
