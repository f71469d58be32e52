/**
 * History's encoded write-behind buffer against a plain array of events, under random
 * sequences of what History does to it: record, commit all, commit the oldest n, put a
 * failed batch back, the outage bound, a redaction, a deleted conversation. Plus the
 * codec's round trip over any text, and a malformed batch refused whole.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EventBuffer, type EventBatch } from '../../../src/core/history-buffer.js';
import { decodeEvents, encodedSize } from '../../../src/storage/event-codec.js';
import type { HistoryCommand, NewEvent } from '../../../src/storage/types.js';

const commands: HistoryCommand[] = ['PRIVMSG', 'NOTICE', 'TAGMSG', 'JOIN', 'PART', 'QUIT', 'KICK', 'TOPIC', 'MODE', 'NICK'];

const anEvent = (targets: string[]): fc.Arbitrary<NewEvent> =>
  fc.record({
    target: fc.constantFrom(...targets),
    msgid: fc.string({ minLength: 1, maxLength: 12 }),
    time: fc.integer({ min: 0, max: 2 ** 45 }),
    command: fc.constantFrom(...commands),
    source: fc.string({ unit: 'grapheme', maxLength: 30 }),
    params: fc.array(fc.string({ unit: 'binary', maxLength: 600 }), { maxLength: 15 }),
    tags: fc.string({ maxLength: 40 }),
  });

const push = (b: EventBuffer, e: NewEvent): void => b.push(e.target, e.msgid, e.time, e.command, e.source, e.params, e.tags);

test('any event survives the round trip (any text, lone surrogates as UTF-8 turns them: U+FFFD)', () => {
  fc.assert(
    fc.property(fc.array(anEvent(['#a', '#ü', '']), { maxLength: 20 }), (events) => {
      const b = new EventBuffer();
      for (const e of events) push(b, e);
      assert.equal(b.length, events.length);
      assert.equal(b.bytes, events.reduce((n, e) => n + encodedSize(e), 0));
      const batch = b.takeAll();
      const wellFormed = (s: string): string => Buffer.from(s).toString();
      const want = events.map((e) => ({ ...e, source: wellFormed(e.source), msgid: wellFormed(e.msgid), tags: wellFormed(e.tags), params: e.params.map(wellFormed) }));
      assert.deepEqual(batch.decode(), want);
      assert.deepEqual(decodeEvents(batch.toBytes()), want);
      assert.equal(b.length, 0);
    }),
    { numRuns: 200 },
  );
});

type Op =
  | { k: 'push'; e: NewEvent }
  | { k: 'takeAll'; fail: boolean }
  | { k: 'takeOldest'; n: number; fail: boolean }
  | { k: 'drop'; maxCount: number; maxBytes: number }
  | { k: 'removeMessage'; pick: number }
  | { k: 'removeTargets'; targets: string[]; before: number | null };

test('the buffer does what an array of events would, under any sequence of History operations', () => {
  const targets = ['#a', '#b', 'alice\u0000bob', ...Array.from({ length: 9 }, (_, i) => `#r${i}`)];
  const big = fc.record({ target: fc.constantFrom(...targets), msgid: fc.string({ minLength: 1, maxLength: 4 }), time: fc.integer({ min: 0, max: 100 }), command: fc.constant<HistoryCommand>('PRIVMSG'), source: fc.constant('n!u@h'), params: fc.tuple(fc.constant('#a'), fc.string({ maxLength: 40_000 })).map((p) => [...p]), tags: fc.constant('') });
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 6, arbitrary: fc.oneof(anEvent(targets), big).map((e) => ({ k: 'push' as const, e })) },
    { weight: 1, arbitrary: fc.boolean().map((fail) => ({ k: 'takeAll' as const, fail })) },
    { weight: 2, arbitrary: fc.record({ n: fc.integer({ min: 1, max: 8 }), fail: fc.boolean() }).map((r) => ({ k: 'takeOldest' as const, ...r })) },
    { weight: 1, arbitrary: fc.record({ maxCount: fc.integer({ min: 0, max: 10 }), maxBytes: fc.integer({ min: 0, max: 100_000 }) }).map((r) => ({ k: 'drop' as const, ...r })) },
    { weight: 2, arbitrary: fc.nat().map((pick) => ({ k: 'removeMessage' as const, pick })) },
    { weight: 1, arbitrary: fc.record({ targets: fc.subarray(targets), before: fc.option(fc.integer({ min: 0, max: 2 ** 45 })) }).map((r) => ({ k: 'removeTargets' as const, ...r })) },
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
      const b = new EventBuffer();
      // the model: every record in order, removed ones marked (they hold memory until
      // committed, dropped or compacted away)
      let model: { e: NewEvent; removed: boolean }[] = [];
      const size = (es: readonly { e: NewEvent }[]): number => es.reduce((n, r) => n + encodedSize(r.e), 0);
      const live = (rs: typeof model): NewEvent[] => rs.filter((r) => !r.removed).map((r) => r.e);
      const commit = (batch: EventBatch, taken: typeof model, fail: boolean): void => {
        const want = live(taken);
        assert.equal(batch.count, want.length);
        assert.equal(batch.bytes, size(taken.filter((r) => !r.removed)));
        assert.deepEqual(decodeEvents(batch.toBytes()), want);
        assert.deepEqual(batch.decode(), want);
        if (fail) {
          b.putBack(batch);
          model = taken.concat(model);
        }
      };
      for (const o of ops) {
        switch (o.k) {
          case 'push':
            push(b, o.e);
            model.push({ e: { ...o.e, params: [...o.e.params] }, removed: false });
            break;
          case 'takeAll': {
            const taken = model;
            model = [];
            commit(b.takeAll(), taken, o.fail);
            break;
          }
          case 'takeOldest': {
            // up to and including the n-th live record
            let i = 0;
            for (let got = 0; i < model.length && got < o.n; i++) if (!model[i]!.removed) got++;
            const taken = model.slice(0, i);
            model = model.slice(i);
            commit(b.takeOldest(o.n), taken, o.fail);
            break;
          }
          case 'drop': {
            const held = size(model);
            const liveBytes = size(model.filter((r) => !r.removed));
            if (held > o.maxBytes && held - liveBytes > held / 2) model = model.filter((r) => !r.removed);
            let n = 0;
            while (model.length > 0 && (live(model).length > o.maxCount || size(model) > o.maxBytes)) {
              if (!model[0]!.removed) {
                if (live(model).length === 1) break;
                n++;
              }
              model = model.slice(1);
            }
            assert.equal(b.dropOldest(o.maxCount, o.maxBytes), n);
            break;
          }
          case 'removeMessage': {
            const l = model.filter((r) => !r.removed);
            const e = l.length === 0 ? undefined : l[o.pick % l.length]!.e;
            const target = e?.target ?? '#a';
            const msgid = e?.msgid ?? 'none';
            const r = model.find((x) => !x.removed && x.e.target === target && x.e.msgid === msgid);
            assert.equal(b.removeMessage(target, msgid), r !== undefined);
            if (r !== undefined) r.removed = true;
            break;
          }
          case 'removeTargets': {
            const set = new Set(o.targets);
            const gone = model.filter((x) => !x.removed && set.has(x.e.target) && (o.before === null || x.e.time < o.before));
            assert.equal(b.removeTargets(set, o.before), gone.length);
            for (const x of gone) x.removed = true;
            break;
          }
        }
        assert.equal(b.length, live(model).length);
        assert.equal(b.bytes, size(model.filter((r) => !r.removed)));
        assert.equal(b.heldBytes, size(model));
        assert.deepEqual(b.targets(), new Set(live(model).map((x) => x.target)));
      }
      commit(b.takeAll(), model, false);
      assert.equal(b.heldBytes, 0);
    }),
    { numRuns: 300 },
  );
});

test('messages redacted while they wait (an outage, a flood of send-and-redact) cannot hold memory past the byte bound', () => {
  const b = new EventBuffer();
  const bound = 64 * 1024;
  const ev = (i: number): NewEvent => ({ target: '#a', msgid: 'm' + i, time: i, command: 'PRIVMSG', source: 'a!b@c', params: ['#a', 'x'.repeat(300)], tags: '' });
  push(b, ev(0)); // one old event that is not redacted
  for (let i = 1; i <= 10_000; i++) {
    push(b, ev(i));
    assert.ok(b.removeMessage('#a', 'm' + i));
    // what History's trim does after every record
    if (b.heldBytes > bound) b.dropOldest(100_000, bound);
    assert.ok(b.heldBytes <= bound + encodedSize(ev(i)), `held ${b.heldBytes} after ${i}`);
  }
  assert.equal(b.length, 1, 'the one live event is kept');
  assert.deepEqual(b.takeAll().decode(), [ev(0)]);
});

test('a truncated or inconsistent batch is refused whole, not half stored', () => {
  const b = new EventBuffer();
  push(b, { target: '#a', msgid: 'm1', time: 1, command: 'PRIVMSG', source: 'a!b@c', params: ['#a', 'hello'], tags: '' });
  push(b, { target: '#a', msgid: 'm2', time: 2, command: 'PRIVMSG', source: 'a!b@c', params: ['#a', 'world'], tags: '' });
  const bytes = b.takeAll().toBytes();
  assert.equal(decodeEvents(bytes).length, 2);
  assert.throws(() => decodeEvents(bytes.subarray(0, bytes.length - 3)), /malformed history batch/);
  const bad = Buffer.from(bytes);
  bad.writeUInt32LE(3, 0);
  assert.throws(() => decodeEvents(bad), /malformed history batch/);
});
