// Fuzz (fast-check, bounded in time): random lines from a session with every capability
// negotiated, with random tags (label included), every command in the COMMANDS table and
// random parameters, through a real IrcServer with history (memory and sqlite stores).
// Nothing may throw, no session may be dropped for an internal error, nothing may escape
// into the event loop, and the server must still answer PING.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { COMMANDS } from '../../../src/core/commands/index.js';
import { CAPS } from '../../../src/core/caps.js';
import { MemoryStorage } from '../../../src/storage/memory/memory-storage.js';
import { SqliteStorage } from '../../../src/storage/sqlite/sqlite-storage.js';
import { harness } from '../../helpers/harness.js';
import { inRoom, msgs } from './util.js';
import { closedBy } from '../../helpers/codes.js';

const escaped: unknown[] = [];
const onEscape = (err: unknown): void => void escaped.push(err);
process.on('uncaughtException', onEscape);
process.on('unhandledRejection', onEscape);
after(() => {
  process.off('uncaughtException', onEscape);
  process.off('unhandledRejection', onEscape);
});

const word = fc.string({ unit: fc.constantFrom(...'abcXYZ019-_[]\\`^{}|#&*?!@.=+:,é'), minLength: 1, maxLength: 12 });
const param = fc.oneof(
  fc.constantFrom(
    '#c', '#d', '&x', '#', '*', '', 'alice', 'fuzzer', 'somebody', '0', '1', '10', '100', '999999999', '-1',
    'LATEST', 'BEFORE', 'AFTER', 'AROUND', 'BETWEEN', 'TARGETS', 'latest', 'REQ', 'LS', 'END', 'LIST', '302',
    'timestamp=2020-01-01T00:00:00.000Z', 'timestamp=2100-01-01T00:00:00Z', 'timestamp=bogus', 'msgid=', 'msgid=nope',
    '+o', '-o', '+b', '+k', '+l', '+i', '+ntmsk', '-b', 'b', '*!*@*', 'root', 'pw', 'labeled-response', 'batch',
  ),
  word,
);
const trailing = fc.string({ maxLength: 40 }).map((s) => s.replace(/[\r\n\0]/g, ''));
const tagValue = fc.string({ maxLength: 10 }).map((s) => s.replace(/[\r\n\0 ]/g, ''));
const tags = fc.option(
  fc
    .uniqueArray(fc.tuple(fc.constantFrom('label', '+draft/reply', '+x', 'msgid', 'time', 'batch', 'a/b'), tagValue), {
      selector: (t) => t[0],
      maxLength: 3,
    })
    .map((ts) => '@' + ts.map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join(';') + ' '),
  { nil: '' },
);
const command = fc.oneof(fc.constantFrom(...COMMANDS.keys()), fc.constantFrom(...COMMANDS.keys()).map((c) => c.toLowerCase()));
const generic = fc
  .tuple(tags, command, fc.array(param, { maxLength: 6 }), fc.option(trailing, { nil: undefined }))
  .map(([t, c, ps, tr]) => t + [c, ...ps.filter((p) => p !== '')].join(' ') + (tr === undefined ? '' : ' :' + tr));
// the history commands take structured arguments that random words rarely hit
const ref = fc.constantFrom('*', 'timestamp=2020-01-01T00:00:00.000Z', 'timestamp=2100-01-01T00:00:00.000Z', 'msgid=x', 'bogus');
const target = fc.constantFrom('*', '#c', '#d', 'alice', 'somebody', 'fuzzer', '&x', '#');
const history = fc
  .tuple(
    tags,
    fc.constantFrom('LATEST', 'BEFORE', 'AFTER', 'AROUND', 'BETWEEN', 'TARGETS', 'NOPE'),
    target,
    ref,
    ref,
    fc.constantFrom('10', '0', '1', '100000', 'x'),
    fc.boolean(),
  )
  .map(([t, sub, tg, r1, r2, n, four]) =>
    four ? `${t}CHATHISTORY ${sub} ${tg} ${r1} ${n}` : `${t}CHATHISTORY ${sub} ${tg} ${r1} ${r2} ${n}`,
  );
const other = fc
  .tuple(tags, fc.constantFrom('HISTORY #c', 'HISTORY #d', 'SEARCH', 'SEARCH #c', 'SEARCH #d', 'JOIN', 'PART', 'OPER root'), fc.array(param, { maxLength: 3 }))
  .map(([t, c, ps]) => t + [c, ...ps.filter((p) => p !== '')].join(' '));
const line = fc.oneof({ arbitrary: generic, weight: 3 }, { arbitrary: history, weight: 2 }, { arbitrary: other, weight: 1 });

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

for (const kind of ['memory', 'sqlite'] as const) {
  test(`fuzz (${kind} history): random lines never throw, drop nobody for a bug, and PING still works`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 25 }), async (lines) => {
        const storage = kind === 'memory' ? new MemoryStorage() : new SqliteStorage(':memory:');
        const h = harness({ operators: [{ name: 'root', password: 'pw', hosts: [] }] }, undefined, { storage });
        try {
          const bystander = h.client('bystander');
          const alice = h.client('alice');
          const fuzzer = h.client('fuzzer', CAPS.map((c) => c.name));
          inRoom('#c', alice, bystander, fuzzer);
          alice.recv('PRIVMSG #c :some history to find, the pizza');
          for (const l of lines) fuzzer.recv(l);
          await h.history?.flushNow();
          for (let i = 0; i < 3; i++) await settle();
          for (const c of [bystander, alice, fuzzer]) {
            assert.doesNotMatch(c.closeLine ?? '', closedBy('TINCAN_ERR_INTERNAL'), `dropped for a bug after:\n${lines.join('\n')}`);
          }
          assert.deepEqual(escaped, []);
          bystander.take();
          bystander.recv('PING :alive');
          assert.equal(msgs(bystander.take(), 'PONG').length, 1);
          if (!fuzzer.closed) {
            fuzzer.take();
            fuzzer.recv('PING :alive');
            assert.ok(fuzzer.take().some((l) => / PONG /.test(l)));
          }
        } finally {
          await h.close();
        }
      }),
      { numRuns: 400, interruptAfterTimeLimit: 6000, markInterruptAsFailure: false },
    );
  });
}
