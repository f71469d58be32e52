/**
 * A plain guess that turns out to be IRC (issue 16): handed over to a new IRC session
 * only while safe; held IRC-looking lines are chat after SWITCH_HOLD_MS; no timer left.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, type Harness } from '../../helpers/harness.js';
import { FakeConnection } from '../../helpers/fake-conn.js';
import { PlainConnection, SWITCH_HOLD_MS, SWITCH_LINES } from '../../../src/dialects/plain.js';
import { until } from '../core/util.js';

const tick = () => new Promise<void>((r) => setImmediate(r));

async function guest(h: Harness, nick = 'guest1'): Promise<{ inner: FakeConnection; plain: PlainConnection }> {
  const inner = new FakeConnection();
  const plain = new PlainConnection(inner, { config: () => h.server.config, guestNick: () => nick, handOff: (c) => h.server.accept(c) });
  h.server.accept(plain);
  await tick();
  return { inner, plain };
}

test('held IRC-looking lines, then an IRC opener: a new IRC session gets them all; the guest quits', async () => {
  const h = harness({ history: { enabled: false } });
  const bob = h.client('bob');
  bob.recv('JOIN #lobby');
  const { inner } = await guest(h);
  bob.take();
  inner.recv('PROTOCTL NAMESX');
  inner.recv('NICK realirc');
  inner.recv('USER realirc 0 * :Real');
  await tick();
  assert.deepEqual(bob.take(), [':guest1!~guest@127.0.0.1 QUIT :Switched to IRC']);
  const irc = [...h.server.sessions].find((s) => s.nick === 'realirc');
  assert.ok(irc !== undefined && irc.registered);
  assert.ok(inner.lines.includes(':test.server 451 * :You have not registered'), 'the held line was answered as IRC');
  assert.ok(inner.lines.some((l) => l.startsWith(':test.server 001 realirc ')));
  assert.equal(h.server.findNick('guest1'), undefined);
  await h.close();
});

test('not after chat, not after SWITCH_LINES lines; an IRC-looking line alone becomes chat after the hold', async () => {
  const h = harness({ history: { enabled: false } });
  const bob = h.client('bob');
  bob.recv('JOIN #lobby');
  const a = await guest(h);
  bob.take();
  a.inner.recv('hello');
  a.inner.recv('NICK bob2');
  assert.deepEqual(bob.take(), [':guest1!~guest@127.0.0.1 PRIVMSG #lobby hello', ':guest1!~guest@127.0.0.1 PRIVMSG #lobby :NICK bob2']);
  await h.close();

  const h2 = harness({ history: { enabled: false } });
  const carol = h2.client('carol');
  carol.recv('JOIN #lobby');
  const b = await guest(h2);
  carol.take();
  for (let i = 0; i < SWITCH_LINES; i++) b.inner.recv('HELLO ' + i);
  // the window is over: these are chat now, in order, and the opener too
  b.inner.recv('NICK late');
  assert.deepEqual(
    carol.take().map((l) => l.split(' :').pop()),
    [...Array.from({ length: SWITCH_LINES }, (_, i) => 'HELLO ' + i), 'NICK late'],
  );
  const start = Date.now();
  const c = await guest(h2, 'guest2');
  carol.take();
  c.inner.recv('LOL');
  await until(() => carol.lines.length > 0, 'the held line', SWITCH_HOLD_MS + 2000);
  assert.ok(Date.now() - start >= SWITCH_HOLD_MS - 50);
  assert.deepEqual(carol.take(), [':guest2!~guest@127.0.0.1 PRIVMSG #lobby LOL']);
  // a hold cut short by a hang-up leaves nothing behind
  const d = await guest(h2, 'guest3');
  d.inner.recv('WHAT');
  d.inner.hangup();
  await h2.close();
});
