/** The plain dialect's registration state machine on its own (src/dialects/plain/registration.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_NICK_TRIES, MAX_PENDING, Registration } from '../../../src/dialects/plain/registration.js';
import { makeConfig } from '../../helpers/harness.js';

function fixture(overrides: Record<string, unknown> = {}) {
  const config = makeConfig(overrides);
  const sent: string[] = [];
  const shown: string[] = [];
  const typed: string[] = [];
  const queued: (() => void)[] = [];
  let n = 0;
  const reg = new Registration({
    config: () => config,
    guestNick: () => `guest${++n}`,
    toCore: (c, p) => sent.push([c, ...p].join(' ')),
    later: (fn) => queued.push(fn),
    show: (l) => shown.push(...l),
    typed: (t) => typed.push(t),
  });
  const flush = () => queued.splice(0).forEach((f) => f());
  return { reg, sent, shown, typed, flush };
}

test('registers a guest, retries taken nicks, gives up after MAX_NICK_TRIES', () => {
  const f = fixture();
  f.reg.start();
  assert.equal(f.reg.state, 'registering');
  assert.deepEqual(f.sent, ['CAP REQ server-time', 'NICK guest1', 'USER guest 0 * plain text user', 'CAP END']);
  f.sent.length = 0;
  for (let i = 1; i < MAX_NICK_TRIES; i++) assert.deepEqual(f.reg.nickRejected(), []);
  f.flush();
  assert.equal(f.sent.length, MAX_NICK_TRIES - 1);
  assert.equal(f.sent.at(-1), `NICK guest${MAX_NICK_TRIES}`);
  assert.deepEqual(f.reg.nickRejected(), ['! Could not find a free guest name; please reconnect.']);
});

test('asks for the password first; lines typed before ready are held (capped) and delivered in order', () => {
  const f = fixture({ password: 'sesame' });
  f.reg.start();
  assert.equal(f.reg.state, 'password');
  assert.match(f.shown[0]!, /needs a password/);
  f.reg.input('sesame');
  assert.deepEqual(f.sent.slice(0, 2), ['PASS sesame', 'CAP REQ server-time']);
  for (let i = 0; i < MAX_PENDING + 5; i++) f.reg.input(`line ${i}`);
  f.reg.welcomed();
  assert.equal(f.reg.state, 'joining');
  assert.equal(f.reg.nickRejected(), null, "after 001 a refused nick is the user's own /nick");
  f.flush();
  assert.equal(f.sent.at(-1), 'JOIN #lobby');
  assert.deepEqual(f.typed, []);
  // the first room can't be joined: the user may type anyway
  f.reg.failed();
  f.flush();
  assert.equal(f.reg.state, 'ready');
  assert.deepEqual(f.typed, Array.from({ length: MAX_PENDING }, (_, i) => `line ${i}`));
  f.reg.input('now');
  assert.equal(f.typed.at(-1), 'now');
  f.reg.closed();
  f.reg.input('gone');
  assert.equal(f.typed.at(-1), 'now');
});
