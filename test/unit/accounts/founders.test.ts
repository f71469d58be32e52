// Channel founders: a logged-in creator founds the channel; founder and named operators
// get +o on joining (not whoever comes first); the state is what the channel store keeps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from '../../helpers/harness.js';
import { registeredClient, waitLine } from './util.js';


test('founder and the operators the founder names get op back on rejoin; the first comer does not', async () => {
  const h = harness();
  try {
    const alice = await registeredClient(h, 'alice');
    const bob = await registeredClient(h, 'bob');
    alice.recv('JOIN #mine');
    const ch = h.server.findChannel('#mine')!;
    assert.equal(ch.founder, 'alice');
    bob.recv('JOIN #mine');
    alice.recv('MODE #mine +o bob');
    assert.deepEqual([...ch.opAccounts], ['bob']);
    // everyone leaves; the room stays (it has a founder) and a stranger comes first
    alice.recv('PART #mine');
    bob.recv('PART #mine');
    assert.equal(h.server.findChannel('#mine'), ch, 'a founded room is kept while empty');
    const eve = h.client('eve');
    eve.recv('JOIN #mine');
    assert.match(eve.take().join('\n'), / 353 eve = #mine :eve$/m, 'no op for the first comer');
    alice.recv('JOIN #mine');
    bob.recv('JOIN #mine');
    assert.match(bob.take().join('\n'), / 353 bob = #mine :(?=.*@alice)(?=.*@bob)(?=.*\beve).*$/m);
    // the founder takes an operator off the list
    alice.recv('MODE #mine -o bob');
    assert.deepEqual([...ch.opAccounts], []);
    // what the channel store keeps
    await h.history!.flushNow();
    const saved = (await h.history!.storage.channels.loadChannels()).find((x) => x.folded === '#mine')!;
    assert.equal(saved.founder, 'alice');
    assert.deepEqual(saved.ops, []);
  } finally {
    await h.close();
  }
});

test('logging in while already in a founded channel gives +o from the server', async () => {
  const h = harness();
  try {
    const alice = await registeredClient(h, 'alice');
    alice.recv('JOIN #mine');
    alice.recv('QUIT');
    const other = h.client('other');
    other.recv('JOIN #mine');
    const a2 = h.client('alice');
    a2.recv('JOIN #mine');
    other.take();
    a2.recv('PRIVMSG NickServ :IDENTIFY correct horse');
    await waitLine(other, /^:test\.server MODE #mine \+o alice$/);
  } finally {
    await h.close();
  }
});

test('a channel created by someone not logged in has no founder (first comer gets op, as before)', async () => {
  const h = harness();
  try {
    const c = h.client('anon');
    c.recv('JOIN #open');
    assert.equal(h.server.findChannel('#open')!.founder, null);
    assert.match(c.take().join('\n'), / 353 anon = #open :@anon/);
  } finally {
    await h.close();
  }
});

test('an empty founded room outlasts limits.emptyChannelExpiryDays, until limits.foundedChannelExpiryDays; at load too', async () => {
  const DAY = 86_400_000;
  const h = harness({ limits: { emptyChannelExpiryDays: 7, foundedChannelExpiryDays: 30 } });
  try {
    const alice = await registeredClient(h, 'alice');
    alice.recv('JOIN #mine');
    alice.recv('JOIN #plain');
    alice.recv('TOPIC #plain :kept for its topic');
    h.server.findChannel('#plain')!.founder = null; // a room with state but no founder, to compare
    alice.recv('PART #mine');
    alice.recv('PART #plain');
    h.clock.now += 8 * DAY;
    assert.equal(h.history!.expireChannels(), 1, 'only the room without a founder expired');
    assert.equal(h.server.findChannel('#plain'), undefined);
    assert.ok(h.server.findChannel('#mine'), 'the founded room is still there after 8 days');
    h.clock.now += 23 * DAY;
    assert.equal(h.history!.expireChannels(), 1, 'after 31 days it goes too');
    assert.equal(h.server.findChannel('#mine'), undefined);
    // at load: a stored founded room 20 days empty is restored, one 40 days empty deleted
    const store = h.history!.storage.channels;
    const base = { createdAt: 0, topic: '', topicBy: '', topicAt: 0, flags: 'nt', key: null, limit: null, bans: [], founder: 'alice' };
    await store.saveChannel({ ...base, folded: '#young', name: '#young', emptySince: h.clock.now - 20 * DAY });
    await store.saveChannel({ ...base, folded: '#stale', name: '#stale', emptySince: h.clock.now - 40 * DAY });
    await h.history!.restoreChannels(h.server);
    assert.ok(h.server.findChannel('#young'));
    assert.equal(h.server.findChannel('#stale'), undefined);
    assert.deepEqual((await store.loadChannels()).map((c) => c.folded).filter((f) => f === '#stale'), []);
  } finally {
    await h.close();
  }
});
