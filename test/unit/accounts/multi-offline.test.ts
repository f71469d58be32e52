// Messages wait for an offline account; private history between accounts (src/accounts/offline.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, withCommand, type Harness } from '../../helpers/harness.js';
import type { FakeConnection } from '../../helpers/fake-conn.js';
import { MemoryStorage } from '../../../src/storage/memory/memory-storage.js';
import { shortTime } from '../../../src/core/history-replay.js';
import { waitLine, saslLogin } from './util.js';

const PW = 'correct horse';

const saslClient = (h: Harness, nick: string, account: string, caps: string[] = []): Promise<FakeConnection> => saslLogin(h, nick, account, PW, caps);

async function accounts(h: Harness, ...names: string[]): Promise<void> {
  for (const n of names) assert.ok((await h.server.accounts.register(n, PW, h.clock.now, 4096)).ok);
}

/** Resolves once `c` has received a line matching `re` after index `from`. */
const until = (c: FakeConnection, re: RegExp, from = 0) => waitLine(c, re, from);

test('a message to an offline account waits and arrives at its next login with its original time', async () => {
  const h = harness();
  try {
    await accounts(h, 'alice');
    const bob = h.client('bob');
    const sentAt = h.clock.now;
    bob.recv('PRIVMSG alice :lunch at noon?');
    // the promise comes once the message is committed
    await waitLine(bob, /NOTICE bob :\*\*\* alice is offline: your message will be delivered when alice next logs in/);
    const told = bob.take().join('\n');
    assert.doesNotMatch(told, / 401 /);
    bob.recv('NOTICE alice :a notice too');
    assert.deepEqual(withCommand(bob.take(), 'NOTICE'), [], 'a NOTICE gets no automatic reply');
    assert.equal(h.server.mailbox.waiting('alice'), 2);
    h.clock.now += 3 * 3600_000;
    // server-time, no batch: the time in the tag, and in the text as the JOIN replay does
    // (irssi negotiates server-time but shows arrival times), framed by NOTICEs
    const a = await saslClient(h, 'alice', 'alice', ['server-time']);
    const got = a.lines.join('\n');
    assert.match(got, /NOTICE alice :\*\*\* 2 messages arrived while you were away:/);
    const stamp = shortTime(sentAt, h.clock.now);
    assert.ok(a.lines.includes(`@time=${new Date(sentAt).toISOString()} :bob!~bob@127.0.0.1 PRIVMSG alice :[${stamp}] lunch at noon?`), got);
    assert.match(got, /:bob!~bob@127\.0\.0\.1 NOTICE alice :\[[^\]]+\] a notice too/);
    assert.match(got, /End of the messages that waited for you/);
    assert.ok(got.indexOf(' 001 ') < got.indexOf('lunch at noon'), 'after the welcome');
    assert.equal(h.server.mailbox.waiting('alice'), 0);
    await h.history!.flushNow();
    assert.deepEqual(await h.server.history!.targets('%', 10), [], 'delivered: gone from the store');
    // once only: the next login gets nothing
    a.recv('QUIT');
    const again = await saslClient(h, 'alice', 'alice', ['server-time']);
    assert.doesNotMatch(again.lines.join('\n'), /lunch at noon/);
  } finally {
    await h.close();
  }
});

test('without server-time the text carries "[HH:MM]"; with batch it comes as a chathistory batch per sender', async () => {
  const h = harness();
  try {
    await accounts(h, 'alice', 'carol');
    const bob = h.client('bob');
    const t = h.clock.now;
    bob.recv('PRIVMSG alice :first');
    bob.recv('PRIVMSG carol :for carol');
    h.clock.now += 60_000;
    const dave = h.client('dave');
    dave.recv('PRIVMSG alice :second');
    h.clock.now += 3600_000;
    const a = await saslClient(h, 'alice', 'alice');
    assert.match(a.lines.join('\n'), new RegExp(`:bob!~bob@127\\.0\\.0\\.1 PRIVMSG alice :\\[${shortTime(t, h.clock.now)}\\] first`));
    const c = await saslClient(h, 'carol', 'carol', ['batch', 'server-time', 'message-tags']);
    const lines = c.lines;
    const open = lines.find((l) => / BATCH \+\S+ chathistory bob$/.test(l));
    assert.ok(open !== undefined, lines.join('\n'));
    const id = open.split(' ')[2]!.slice(1);
    assert.ok(lines.some((l) => l.startsWith(`@batch=${id};time=${new Date(t).toISOString()};msgid=`) && l.endsWith('PRIVMSG carol :for carol')), lines.join('\n'));
    assert.doesNotMatch(lines.join('\n'), /arrived while you were away/, 'a batch needs no framing');
  } finally {
    await h.close();
  }
});

test('waiting messages are bounded per account and per sender, with a clear error', async () => {
  const h = harness({ accounts: { offlineMessagesPerAccount: 3, offlineMessagesPerSender: 2 } });
  try {
    await accounts(h, 'alice');
    const bob = h.client('bob');
    bob.recv('PRIVMSG alice :1');
    bob.recv('PRIVMSG alice :2');
    bob.take();
    bob.recv('PRIVMSG alice :3');
    assert.match(bob.take().join('\n'), /alice is offline and 2 of your messages wait already \(the most one sender may leave\): yours was NOT delivered/);
    const carol = h.connect('10.0.0.2');
    carol.recv('NICK carol');
    carol.recv('USER carol 0 * :c');
    carol.recv('PRIVMSG alice :from carol');
    carol.take();
    carol.recv('PRIVMSG alice :from carol again');
    assert.match(carol.take().join('\n'), /alice is offline and has 3 messages waiting already \(the most this server keeps\): yours was NOT delivered/);
    assert.equal(h.server.mailbox.waiting('alice'), 3);
    // nothing is kept with the feature off: "No such nick" as before
    const off = harness({ accounts: { offlineMessagesPerAccount: 0 } });
    try {
      await accounts(off, 'alice');
      const b = off.client('bob');
      b.recv('PRIVMSG alice :hello');
      assert.match(b.take().join('\n'), / 401 bob alice /);
    } finally {
      await off.close();
    }
  } finally {
    await h.close();
  }
});

test('waiting messages survive a restart (kept in the history store)', async () => {
  const storage = new MemoryStorage();
  const h1 = harness({}, undefined, { storage });
  await accounts(h1, 'alice');
  const bob = h1.client('bob');
  bob.recv('PRIVMSG alice :before the restart');
  await h1.close();
  const h2 = harness({}, undefined, { storage });
  try {
    assert.equal(await h2.server.accounts.load(), 1);
    assert.equal(await h2.server.mailbox.load(), 1);
    const a = await saslClient(h2, 'alice', 'alice');
    assert.match(a.lines.join('\n'), /:bob!~bob@127\.0\.0\.1 PRIVMSG alice :\[\d\d:\d\d\] before the restart/);
  } finally {
    await h2.close();
  }
});

test('private history between two accounts: CHATHISTORY and SEARCH for those two only', async () => {
  const h = harness();
  try {
    await accounts(h, 'alice', 'bob', 'mallory');
    const caps = ['batch', 'server-time', 'draft/chathistory', 'message-tags'];
    const a = await saslClient(h, 'alice', 'alice', caps);
    const b = await saslClient(h, 'bob', 'bob', caps);
    const m = await saslClient(h, 'mallory', 'mallory', caps);
    const guest = h.client('guest', caps);
    a.recv('PRIVMSG bob :the secret pizza plan');
    b.recv('PRIVMSG alice :sounds good');
    guest.recv('PRIVMSG alice :guests leave no history');
    a.take();
    const bobGot = b.take();
    const history = async (c: FakeConnection, target: string): Promise<string[]> => {
      const from = c.lines.length;
      c.recv(`CHATHISTORY LATEST ${target} * 10`);
      await until(c, /BATCH -/, from);
      return withCommand(c.lines.slice(from), 'PRIVMSG').map((l) => l.slice(l.lastIndexOf(':') + 1));
    };
    assert.deepEqual(await history(a, 'bob'), ['the secret pizza plan', 'sounds good']);
    assert.deepEqual(await history(b, 'alice'), ['the secret pizza plan', 'sounds good']);
    assert.deepEqual(await history(a, 'guest'), [], 'nothing kept with someone not logged in');
    assert.deepEqual(await history(m, 'bob'), [], "mallory's own conversation with bob is empty");
    assert.deepEqual(await history(m, 'alice'), []);
    assert.deepEqual(await history(guest, 'alice'), [], 'not logged in: no private history at all');
    // a nick change does not change whose conversation it is
    b.recv('NICK robert');
    assert.deepEqual(await history(a, 'robert'), ['the secret pizza plan', 'sounds good']);
    // an offline account by name
    b.recv('QUIT');
    assert.deepEqual(await history(a, 'bob'), ['the secret pizza plan', 'sounds good']);
    // a msgid from someone else's conversation is no reference into mine
    const msgid = /msgid=([^; ]+)/.exec(withCommand(bobGot, 'PRIVMSG').find((l) => l.includes('secret pizza')) ?? '')?.[1];
    assert.ok(msgid !== undefined, 'bob received the msgid');
    for (const ask of [`CHATHISTORY AROUND bob msgid=${msgid} 10`, `CHATHISTORY AROUND alice msgid=${msgid} 10`, `CHATHISTORY AFTER alice timestamp=2000-01-01T00:00:00.000Z 10`]) {
      const from = m.lines.length;
      m.recv(ask);
      await until(m, /BATCH -/, from);
      assert.deepEqual(withCommand(m.lines.slice(from), 'PRIVMSG'), [], ask);
    }
    const search = async (c: FakeConnection): Promise<string> => {
      const from = c.lines.length;
      c.recv('SEARCH pizza');
      await until(c, /BATCH -|no results|End of search|in no rooms/, from);
      return c.lines.slice(from).join('\n');
    };
    assert.match(await search(a), /the secret pizza plan/);
    // CHATHISTORY TARGETS lists the conversation (by the other account's name), for those two only
    const targets = async (c: FakeConnection): Promise<string> => {
      const from = c.lines.length;
      c.recv('CHATHISTORY TARGETS timestamp=2000-01-01T00:00:00.000Z timestamp=2100-01-01T00:00:00.000Z 10');
      await until(c, /BATCH -/, from);
      return c.lines.slice(from).join('\n');
    };
    assert.match(await targets(a), /CHATHISTORY TARGETS bob \S+Z/);
    assert.doesNotMatch(await targets(m), /TARGETS (bob|alice) /);
    assert.doesNotMatch(await search(m), /pizza plan/);
    assert.doesNotMatch(await search(guest), /pizza plan/);
  } finally {
    await h.close();
  }
});

test('dropping an account deletes its private history and waiting messages; a new owner of the name sees nothing', async () => {
  const h = harness();
  try {
    await accounts(h, 'alice', 'bob');
    const caps = ['batch', 'server-time', 'draft/chathistory'];
    const a = await saslClient(h, 'alice', 'alice', caps);
    a.recv('PRIVMSG bob :waits for bob, and is private history');
    assert.equal(h.server.mailbox.waiting('bob'), 1);
    assert.ok(await h.server.accounts.drop('bob'));
    assert.equal(h.server.mailbox.waiting('bob'), 0);
    // the deletion runs in the background: wait until the store has no conversation left
    const end = Date.now() + 5000;
    while ((await h.history!.targets('@', 10)).length > 0 || (await h.history!.targets('%', 10)).length > 0) {
      if (Date.now() > end) throw new Error('private history was not deleted');
      await new Promise((r) => setTimeout(r, 5));
    }
    // someone else registers "bob": nothing of the old bob's conversation
    await accounts(h, 'bob');
    const nb = await saslClient(h, 'bob', 'bob', caps);
    assert.doesNotMatch(nb.lines.join('\n'), /waits for bob/);
    const from = nb.lines.length;
    nb.recv('CHATHISTORY LATEST alice * 10');
    await until(nb, /BATCH -/, from);
    assert.deepEqual(withCommand(nb.lines.slice(from), 'PRIVMSG'), []);
  } finally {
    await h.close();
  }
});

test('the sender is echoed on its other sessions when the target is offline', async () => {
  const h = harness();
  try {
    await accounts(h, 'alice', 'bob');
    const a1 = await saslClient(h, 'alice', 'alice');
    const a2 = await saslClient(h, 'phone', 'alice');
    a1.take();
    a2.take();
    a1.recv('PRIVMSG bob :see this on my phone');
    assert.deepEqual(withCommand(a2.take(), 'PRIVMSG'), [':alice!~alice@127.0.0.1 PRIVMSG bob :see this on my phone']);
  } finally {
    await h.close();
  }
});

test('a plain-line user who logs in sees what waited with its original time, as readable lines', async () => {
  const { PlainConnection } = await import('../../../src/dialects/plain.js');
  const { FakeConnection: Fake } = await import('../../helpers/fake-conn.js');
  const h = harness();
  try {
    await accounts(h, 'alice');
    const bob = h.client('bob');
    const sentAt = h.clock.now;
    bob.recv('PRIVMSG alice :did you get my letter?');
    h.clock.now += 2 * 3600_000;
    const inner = new Fake();
    const plain = new PlainConnection(inner, { config: () => h.server.config, now: () => new Date(h.clock.now), guestNick: () => 'guest1' });
    h.server.accept(plain);
    await new Promise<void>((r) => setImmediate(r));
    inner.take();
    // as plain /login would
    const s = [...h.server.sessions].find((x) => x.conn === plain)!;
    h.server.setAccount(s, 'alice');
    const shown = inner.take();
    const at = shortTime(sentAt, h.clock.now);
    assert.ok(shown.some((l) => l.includes('1 message arrived while you were away')), shown.join('\n'));
    assert.ok(shown.includes(`[${at}] *bob* did you get my letter?`), 'one time, the original: ' + shown.join('\n'));
  } finally {
    await h.close();
  }
});
