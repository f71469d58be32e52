// Reconnect-aware JOIN replay: a client with server-time (no chathistory) that comes
// back under the same nick gets only what it missed since it was last in the room.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, type Harness } from '../../helpers/harness.js';
import type { FakeConnection } from '../../helpers/fake-conn.js';
import { msgs } from './util.js';

const settle = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
};
/** the replayed/relayed texts of #a, without the "[12:03] " stamp */
const said = (lines: string[]): string[] => msgs(lines, 'PRIVMSG').filter((m) => m.params[0] === '#a').map((m) => m.params[1]!.replace(/^\[[^\]]+\] /, ''));
const notices = (lines: string[]): string[] => msgs(lines, 'NOTICE').map((m) => m.params[1]!);

async function withBob(fn: (h: Harness, bob: FakeConnection, say: (...t: string[]) => Promise<void>) => Promise<void>): Promise<void> {
  const h = harness({});
  try {
    const bob = h.client('bob');
    bob.recv('JOIN #a');
    const say = async (...t: string[]): Promise<void> => {
      for (const x of t) {
        h.clock.now += 1000;
        bob.recv(`PRIVMSG #a :${x}`);
      }
      await settle();
    };
    await fn(h, bob, say);
  } finally {
    await h.close();
  }
}

async function join(c: FakeConnection): Promise<string[]> {
  c.take();
  c.recv('JOIN #a');
  await settle();
  return c.take();
}

test('PART, then JOIN again: only what was said in between; nothing when nothing was', () =>
  withBob(async (h, _bob, say) => {
    await say('m1', 'm2', 'm3');
    const a = h.client('alice', ['server-time']);
    assert.deepEqual(said(await join(a)), ['m1', 'm2', 'm3'], 'a newcomer gets the recent context');
    await say('m4');
    a.recv('PART #a');
    await say('m5', 'm6');
    const back = await join(a);
    assert.deepEqual(said(back), ['m5', 'm6']);
    assert.ok(notices(back).includes('*** #a: 2 messages since you were last here'));
    a.recv('PART #a');
    const again = await join(a);
    assert.deepEqual(said(again), [], 'saw everything: nothing replayed');
    assert.ok(!notices(again).some((n) => n.startsWith('*** #a:')));
  }));

test('a dropped connection that comes back under the same nick gets what it missed, once', () =>
  withBob(async (h, _bob, say) => {
    await say('m1', 'm2');
    let a = h.client('alice', ['server-time', 'message-tags']);
    const first = await join(a);
    await say('m3');
    const seen = [...said(first), ...said(a.take())];
    a.hangup(); // the network goes away: a QUIT is recorded for alice
    await say('m4', 'm5');
    a = h.client('alice', ['server-time', 'message-tags']);
    const back = await join(a);
    await say('m6');
    const all = [...seen, ...said(back), ...said(a.take())];
    assert.deepEqual(all, ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'], 'each message exactly once');
  }));

test('a nick change leaves the room under the old nick; clients without server-time keep the recent context', () =>
  withBob(async (h, _bob, say) => {
    await say('m1', 'm2');
    const a = h.client('alice', ['server-time']);
    await join(a);
    a.recv('NICK alice2');
    await say('m3');
    const a2 = h.client('alice', ['server-time']);
    assert.deepEqual(said(await join(a2)), ['m3'], 'the new alice: since the old one left by renaming');
    // no server-time: cannot place lines in time itself, so always the last lines (stamped)
    const old = h.client('carol');
    await join(old);
    old.recv('PART #a');
    await say('m4');
    const back = await join(old);
    assert.deepEqual(said(back), ['m1', 'm2', 'm3', 'm4']);
  }));
