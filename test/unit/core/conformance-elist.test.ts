// ELIST filters on LIST (ELIST=CMNTU): user counts, creation and topic times, masks. Issue 16.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { using, msgs, inRoom } from './util.js';
import type { Harness } from '../../helpers/harness.js';
import type { FakeConnection } from '../../helpers/fake-conn.js';

const listed = (c: FakeConnection, arg: string): string[] => {
  c.recv(arg === '' ? 'LIST' : `LIST ${arg}`);
  const got = c.take();
  assert.equal(msgs(got, '323').length, 1, got.join('\n'));
  return msgs(got, '322').map((m) => m.params[1]!).sort();
};

/** #one (1 user, created at t0), #three (3 users, created 10 minutes later, topic at +20 min). */
function rooms(h: Harness): FakeConnection {
  const a = h.client('alice');
  const b = h.client('bob');
  const c = h.client('carol');
  inRoom('#one', a);
  h.clock.now += 10 * 60_000;
  inRoom('#three', a, b, c);
  h.clock.now += 10 * 60_000;
  a.recv('TOPIC #three :hello');
  h.clock.now += 5 * 60_000;
  a.take();
  return h.client('dave');
}

test('ELIST U: >n and <n by visible user count', () =>
  using({}, (h) => {
    const d = rooms(h);
    assert.deepEqual(listed(d, '>2'), ['#three']);
    assert.deepEqual(listed(d, '<2'), ['#one']);
    assert.deepEqual(listed(d, '>0,<3'), ['#one']);
    assert.deepEqual(listed(d, ''), ['#one', '#three']);
  }));

test('ELIST C: C>m created more than m minutes ago, C<m less', () =>
  using({}, (h) => {
    const d = rooms(h);
    // now: #one is 25 minutes old, #three 15
    assert.deepEqual(listed(d, 'C>20'), ['#one']);
    assert.deepEqual(listed(d, 'C<20'), ['#three']);
    assert.deepEqual(listed(d, 'C<10'), []);
  }));

test('ELIST T: T>m / T<m by topic time; a room without a topic matches neither', () =>
  using({}, (h) => {
    const d = rooms(h);
    // the topic of #three was set 5 minutes ago
    assert.deepEqual(listed(d, 'T<10'), ['#three']);
    assert.deepEqual(listed(d, 'T>10'), []);
    assert.deepEqual(listed(d, 'T>1'), ['#three']);
  }));

test('ELIST M and N: a mask selects, !mask excludes; names and filters combine', () =>
  using({}, (h) => {
    const d = rooms(h);
    assert.deepEqual(listed(d, '*thr*'), ['#three']);
    assert.deepEqual(listed(d, '!*thr*'), ['#one']);
    assert.deepEqual(listed(d, '#one,#three,>1'), ['#three']);
    assert.deepEqual(listed(d, '#o*,!#one'), []);
  }));

test('LIST with a malformed filter is 461; ISUPPORT has ELIST=CMNTU; private rooms stay hidden', () =>
  using({}, (h) => {
    const d = rooms(h);
    d.recv('LIST >abc');
    assert.deepEqual(d.take(), [':test.server 461 dave LIST :Invalid LIST filter (ELIST: >n <n C>m C<m T>m T<m mask !mask)']);
    d.recv('LIST C>');
    assert.equal(msgs(d.take(), '461').length, 1);
    d.recv('VERSION');
    const tokens = msgs(d.take(), '005').flatMap((m) => m.params.slice(1, -1));
    assert.ok(tokens.includes('ELIST=CMNTU'), tokens.join(' '));
    const e = h.client('erin');
    e.recv('JOIN #hid');
    e.recv('MODE #hid +s');
    assert.deepEqual(listed(d, '<5'), ['#one', '#three']);
    assert.deepEqual(listed(e, '<5'), ['#hid', '#one', '#three']);
  }));
