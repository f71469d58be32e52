// SEEN <nick> (src/core/commands/seen.ts) and the plain dialect's /seen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, withCommand } from '../../helpers/harness.js';
import { FakeConnection } from '../../helpers/fake-conn.js';
import { PlainConnection } from '../../../src/dialects/plain.js';
import { longTime } from '../../../src/core/history-replay.js';
import { waitLine, plainAuth } from './util.js';

const PW = 'correct horse';
const notices = (lines: string[]): string[] => withCommand(lines, 'NOTICE').map((l) => l.slice(l.indexOf(' :') + 2));

test('SEEN: online now, away, online under another nick, last seen (WHOWAS and the account), never seen', async () => {
  const h = harness();
  try {
    assert.ok((await h.server.accounts.register('alice', PW, h.clock.now, 4096)).ok);
    const asker = h.client('asker');
    const bob = h.client('bob');
    asker.recv('SEEN bob');
    assert.deepEqual(notices(asker.take()), ['*** bob is online now']);
    bob.recv('AWAY :lunch');
    asker.recv('SEEN BOB');
    assert.deepEqual(notices(asker.take()), ['*** bob is online now (away: lunch)']);
    const leftAt = h.clock.now;
    bob.recv('QUIT');
    h.clock.now += 2 * 3600_000 + 5 * 60_000;
    asker.recv('SEEN bob');
    assert.deepEqual(notices(asker.take()), [`*** bob was last seen 2 hours ago (${longTime(leftAt)})`]);
    asker.recv('SEEN nobody');
    assert.deepEqual(notices(asker.take()), ['*** I have not seen nobody']);
    asker.recv('SEEN alice');
    assert.deepEqual(notices(asker.take()), ['*** alice is registered, but has not been seen since this server started']);
    asker.recv('SEEN #room');
    assert.match(notices(asker.take())[0]!, /is not a nick/);
    // alice logs in as "ally": found by her account name
    const a = h.connect();
    for (const l of ['CAP LS 302', 'CAP REQ :sasl', 'NICK ally', 'USER a 0 * :a', 'AUTHENTICATE PLAIN', 'AUTHENTICATE ' + plainAuth('alice', PW)]) a.recv(l);
    await waitLine(a, / 903 /);
    a.recv('CAP END');
    asker.recv('SEEN alice');
    assert.deepEqual(notices(asker.take()), ['*** alice is online now, as ally']);
    const aliceLeft = h.clock.now;
    a.recv('QUIT');
    // the account's last-seen time is kept in its record (it survives a restart)
    const end = Date.now() + 5000;
    while ((await h.server.accounts.store.getAccount('alice'))?.settings['lastSeen'] !== aliceLeft) {
      if (Date.now() > end) throw new Error('lastSeen was not saved');
      await new Promise((r) => setTimeout(r, 5));
    }
    h.clock.now += 3 * 86_400_000;
    asker.recv('SEEN alice');
    assert.deepEqual(notices(asker.take()), [`*** alice was last seen 3 days ago (${longTime(aliceLeft)})`]);
  } finally {
    await h.close();
  }
});

test('plain users ask with /seen NAME', async () => {
  const h = harness({ history: { enabled: false } });
  try {
    h.client('bob').recv('QUIT');
    const inner = new FakeConnection();
    const plain = new PlainConnection(inner, { config: () => h.server.config, now: () => new Date(h.clock.now), guestNick: () => 'guest1' });
    h.server.accept(plain);
    await new Promise<void>((r) => setImmediate(r));
    inner.take();
    inner.recv('/seen bob');
    assert.ok(inner.take().some((l) => /bob was last seen a moment ago/.test(l)), 'rendered as a server notice');
    inner.recv('/seen');
    assert.deepEqual(inner.take(), ['! Usage: /seen NAME']);
  } finally {
    await h.close();
  }
});
