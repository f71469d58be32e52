/**
 * A silent plain listener (`nc HOST 4444` that never types, or a browser's speculative
 * socket) hears #lobby but is not announced: no JOIN, not in NAMES or WHO, no QUIT,
 * until it sends a line of its own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from '../../helpers/harness.js';
import { FakeConnection } from '../../helpers/fake-conn.js';
import { PlainConnection } from '../../../src/dialects/plain.js';
import { closeText } from '../../helpers/codes.js';

async function settle(): Promise<void> {
  // the plain dialect joins #lobby in a microtask after 001
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
}

function plainUser(h: ReturnType<typeof harness>, nick: string, lurking: boolean): FakeConnection {
  const inner = new FakeConnection();
  h.server.accept(new PlainConnection(inner, { config: () => h.server.config, guestNick: () => nick, lurking }));
  return inner;
}

test('a lurker hears #lobby but nobody sees it until it types; then one JOIN, then its message', async () => {
  const h = harness();
  try {
    const bob = h.client('bob');
    bob.recv('JOIN #lobby');
    bob.take();
    const quiet = plainUser(h, 'guest1', true);
    await settle();
    assert.ok(quiet.take().some((l) => l.includes('You are in #lobby')));
    assert.deepEqual(bob.take().filter((l) => l.includes('guest1')), [], 'no JOIN for a lurker');

    bob.recv('NAMES #lobby');
    const names = bob.take().find((l) => / 353 /.test(l)) ?? '';
    assert.doesNotMatch(names, /guest1/);
    bob.recv('WHO #lobby');
    assert.ok(!bob.take().some((l) => / 352 .* guest1 /.test(l)), 'not in WHO');

    bob.recv('PRIVMSG #lobby :anyone there?');
    assert.ok(quiet.take().some((l) => /<bob> anyone there\?$/.test(l)), 'the lurker hears the room');

    quiet.recv('hello');
    await settle();
    const seen = bob.take();
    const join = seen.findIndex((l) => /^:guest1!\S+ JOIN #lobby$/.test(l));
    const msg = seen.findIndex((l) => /^:guest1!\S+ PRIVMSG #lobby :?hello$/.test(l));
    assert.ok(join !== -1 && msg > join, seen.join('\n'));
    bob.recv('NAMES #lobby');
    assert.match(bob.take().find((l) => / 353 /.test(l)) ?? '', /guest1/);
  } finally {
    await h.close();
  }
});

test('a lurker that leaves without a word leaves no QUIT and no history trace; a typed-in user does', async () => {
  const h = harness();
  try {
    const bob = h.client('bob');
    bob.recv('JOIN #lobby');
    bob.take();
    const quiet = plainUser(h, 'guest2', true);
    const talker = plainUser(h, 'guest3', false);
    await settle();
    quiet.take();
    talker.take();
    assert.ok(bob.take().some((l) => /^:guest3!\S+ JOIN #lobby$/.test(l)), 'a user who typed first is announced at once');
    quiet.close();
    talker.close();
    await settle();
    const after = bob.take();
    assert.ok(!after.some((l) => l.includes('guest2')), after.join('\n'));
    assert.ok(after.some((l) => /^:guest3!\S+ QUIT/.test(l)), after.join('\n'));
  } finally {
    await h.close();
  }
});

test("a bug in the plain dialect's own code drops that user only", async () => {
  const h = harness();
  try {
    const bob = h.client('bob');
    bob.recv('JOIN #lobby');
    bob.take();
    let boom = false;
    const inner = new FakeConnection();
    const config = (): typeof h.server.config => {
      if (boom) throw new Error('injected dialect failure');
      return h.server.config;
    };
    h.server.accept(new PlainConnection(inner, { config, guestNick: () => 'guest4' }));
    await settle();
    inner.take();
    inner.recv('/part');
    await settle();
    boom = true;
    inner.recv('hello'); // out of any room: the dialect reads its config here, before the core sees anything
    await settle();
    assert.equal(inner.closed, true, 'the failing user is dropped');
    assert.ok((inner.closeLine ?? '').endsWith(closeText('TINCAN_ERR_INTERNAL')), inner.closeLine);
    bob.recv('PRIVMSG #lobby :still fine');
    bob.recv('PING :x');
    assert.ok(bob.take().some((l) => / PONG .*x$/.test(l)), 'the server carries on');
  } finally {
    await h.close();
  }
});
