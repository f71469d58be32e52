/**
 * irc-framework (an independent IRC client library) against a real tincan over TCP:
 * capability negotiation and the everyday actions, each seen by the other client.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'irc-framework';
import { startServer, type RunningServer } from '../helpers/server.js';

let srv: RunningServer;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv.stop();
});

type Ev = Record<string, unknown> & { tags?: Record<string, string> };

/** Resolves with the next `event` on `c` for which `pred` holds. */
function next(c: Client, event: string, pred: (e: Ev) => boolean = () => true, ms = 5000): Promise<Ev> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      c.off(event, h);
      reject(new Error(`timed out waiting for ${event}`));
    }, ms);
    function h(e: Ev): void {
      if (!pred(e)) return;
      clearTimeout(t);
      c.off(event, h);
      resolve(e);
    }
    c.on(event, h);
  });
}

async function connect(nick: string): Promise<Client> {
  const c = new Client({ auto_reconnect: false });
  c.request_extra_caps = ['labeled-response'];
  const registered = next(c, 'registered');
  c.connect({ host: '127.0.0.1', port: srv.port, nick, username: nick, gecos: `${nick} real`, auto_reconnect: false, enable_echomessage: true, enable_setname: true });
  await registered;
  return c;
}

test('irc-framework clients negotiate IRCv3 caps and chat', { timeout: 30000 }, async () => {
  const alice = await connect('alice');
  const bob = await connect('bob');
  try {
    for (const cap of ['server-time', 'message-tags', 'echo-message', 'batch', 'multi-prefix', 'userhost-in-names', 'away-notify', 'extended-join', 'account-tag', 'invite-notify', 'setname', 'cap-notify', 'labeled-response']) {
      assert.ok(alice.network.cap.enabled.includes(cap), `alice has ${cap}: ${alice.network.cap.enabled.join(' ')}`);
    }
    assert.equal(alice.network.options['CASEMAPPING'], 'rfc1459');
    assert.equal(alice.network.options['NETWORK'], 'tincan');

    const aliceJoined = next(alice, 'join', (e) => e['nick'] === 'alice');
    alice.join('#lobby');
    await aliceJoined;
    // extended-join: bob's join carries his realname to alice
    const seenJoin = next(alice, 'join', (e) => e['nick'] === 'bob');
    bob.join('#lobby');
    const j = await seenJoin;
    assert.equal(j['gecos'], 'bob real');

    // channel message: msgid and server-time on delivery, echo to the sender
    const got = next(bob, 'privmsg', (e) => e['message'] === 'hello bob');
    const echo = next(alice, 'privmsg', (e) => e['message'] === 'hello bob');
    alice.say('#lobby', 'hello bob');
    const [m, e] = await Promise.all([got, echo]);
    assert.equal(m['nick'], 'alice');
    assert.equal(m['target'], '#lobby');
    assert.ok(m.tags?.['msgid'], 'msgid tag present');
    assert.equal(e.tags?.['msgid'], m.tags?.['msgid'], 'echo carries the same msgid');
    assert.ok(typeof m['time'] === 'number' && Math.abs((m['time'] as number) - Date.now()) < 10000, 'server-time parsed');

    // private message
    const pm = next(alice, 'privmsg', (e) => e['target'] === 'alice');
    bob.say('alice', 'just you');
    assert.equal((await pm)['message'], 'just you');

    // topic
    const topic = next(bob, 'topic', (e) => e['topic'] === 'plans');
    alice.setTopic('#lobby', 'plans');
    assert.equal((await topic)['nick'], 'alice');

    // away-notify
    const away = next(alice, 'away', (e) => e['nick'] === 'bob');
    bob.raw('AWAY :lunch');
    assert.equal((await away)['message'], 'lunch');
    bob.raw('AWAY');

    // setname
    const sn = next(alice, 'user updated', (e) => e['nick'] === 'bob');
    bob.raw('SETNAME :Bob Builder');
    assert.equal((await sn)['new_gecos'], 'Bob Builder');

    // kick
    const kicked = next(bob, 'kick', (e) => e['kicked'] === 'bob');
    alice.raw('KICK #lobby bob :out');
    const k = await kicked;
    assert.equal(k['nick'], 'alice');
    assert.equal(k['message'], 'out');

    // part and quit are seen by the other
    const rejoined = next(alice, 'join', (e) => e['nick'] === 'bob');
    bob.join('#lobby');
    await rejoined;
    const parted = next(alice, 'part', (e) => e['nick'] === 'bob');
    bob.part('#lobby', 'later');
    assert.equal((await parted)['message'], 'later');
    const back = next(alice, 'join', (e) => e['nick'] === 'bob');
    bob.join('#lobby');
    await back;
    const quit = next(alice, 'quit', (e) => e['nick'] === 'bob');
    bob.quit('bye all');
    assert.match(String((await quit)['message']), /bye all/);
  } finally {
    alice.quit('done');
    bob.quit('done');
  }
});
