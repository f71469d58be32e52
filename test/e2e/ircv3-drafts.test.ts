/**
 * IRCv3 drafts on real sockets against `tincan serve` (SQLite history in its writer
 * thread): draft/multiline, draft/message-redaction, draft/channel-rename,
 * draft/metadata-2. Raw IRC clients with and without the capability, and a netcat user.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { e2eScope } from '../helpers/serve-inprocess.js';
import type { RawClient } from '../helpers/raw-client.js';

const T = { timeout: 30_000 };
const { serve, connect, irc, joined } = e2eScope('drafts');

/** A netcat user: a sentence first, then the guest nick it is given; it lands in #lobby. */
async function netcat(port: number): Promise<RawClient> {
  const c = await connect(port);
  c.socket.write('hello everyone\n');
  return c;
}

const ML = ['draft/multiline', 'batch', 'message-tags', 'echo-message', 'server-time', 'draft/chathistory'];

test('draft/multiline: a paste reaches a multiline client as one batch, others and netcat as lines, CHATHISTORY as a batch', T, async () => {
  const h = await serve();
  const nc = await netcat(h.port);
  await nc.waitFor(/lobby/i);
  const alice = await irc(h.port, 'alice', ML);
  const bob = await irc(h.port, 'bob', ['draft/multiline', 'batch']);
  const carol = await irc(h.port, 'carol');
  for (const [c, n] of [[alice, 'alice'], [bob, 'bob'], [carol, 'carol']] as const) await joined(c, n, '#lobby');
  alice.send('BATCH +p1 draft/multiline #lobby');
  alice.send('@batch=p1 PRIVMSG #lobby :def f(x):');
  alice.send('@batch=p1 PRIVMSG #lobby :    return x * 2');
  alice.send('BATCH -p1');
  const open = await bob.waitFor(/ BATCH \+\S+ draft\/multiline #lobby$/);
  const id = / BATCH \+(\S+) /.exec(open)![1]!;
  await bob.waitFor(new RegExp(`BATCH -${id}$`));
  assert.deepEqual(
    bob.lines.filter((l) => l.startsWith(`@batch=${id} `)).map((l) => l.slice(l.indexOf(' PRIVMSG #lobby :') + 17)),
    ['def f(x):', '    return x * 2'],
  );
  // echo-message: the same batch back to the sender
  await alice.waitFor(/ BATCH \+\S+ draft\/multiline #lobby$/);
  await carol.waitFor(/PRIVMSG #lobby :    return x \* 2$/);
  assert.ok(carol.lines.some((l) => /PRIVMSG #lobby :def f\(x\):$/.test(l)));
  await nc.waitFor(/return x \* 2/);
  assert.ok(nc.lines.some((l) => l.includes('def f(x):')), nc.lines.join('\n'));

  alice.send('CHATHISTORY LATEST #lobby * 10');
  const from = alice.lines.length;
  const inner = await alice.waitFor(/^@batch=\S+;.*BATCH \+\S+ draft\/multiline #lobby$/, 5000, from);
  const innerId = / BATCH \+(\S+) /.exec(inner)![1]!;
  await alice.waitFor(new RegExp(`BATCH -${innerId}$`), 5000, from);
  assert.equal(alice.lines.slice(from).filter((l) => l.startsWith(`@batch=${innerId} `)).length, 2);
});

test('draft/multiline abuse: an oversized batch gets FAIL, nothing is delivered, the connection carries on', T, async () => {
  const h = await serve();
  const alice = await irc(h.port, 'alice', ML);
  await joined(alice, 'alice', '#x');
  alice.send('BATCH +big draft/multiline #x');
  for (let i = 0; i < 12; i++) alice.send('@batch=big PRIVMSG #x :' + 'a'.repeat(400));
  assert.equal(await alice.waitFor(/ FAIL BATCH /), ':test.local FAIL BATCH MULTILINE_MAX_BYTES 4096 :Multiline batch max-bytes exceeded');
  alice.send('BATCH -big');
  alice.send('PING :still-here');
  await alice.waitFor(/PONG .*still-here/);
  assert.equal(alice.lines.filter((l) => / PRIVMSG #x /.test(l)).length, 0, 'not even the echo of the accepted lines');
});

test('draft/message-redaction: the author deletes, capable clients get REDACT, netcat a line, CHATHISTORY no longer has it', T, async () => {
  const h = await serve();
  const nc = await netcat(h.port);
  await nc.waitFor(/lobby/i);
  const alice = await irc(h.port, 'alice', ['draft/message-redaction', 'message-tags', 'echo-message', 'batch', 'draft/chathistory', 'server-time']);
  const bob = await irc(h.port, 'bob', ['draft/message-redaction', 'message-tags']);
  await joined(alice, 'alice', '#lobby');
  await joined(bob, 'bob', '#lobby');
  alice.send('PRIVMSG #lobby :my password is hunter2');
  const echo = await alice.waitFor(/PRIVMSG #lobby :my password/);
  const id = /msgid=([^; ]+)/.exec(echo)![1]!;
  await nc.waitFor(/hunter2/);
  bob.send(`REDACT #lobby ${id}`);
  assert.equal(await bob.waitFor(/ FAIL REDACT /), `:test.local FAIL REDACT REDACT_FORBIDDEN #lobby ${id} :You are not authorised to delete this message`);
  alice.send(`REDACT #lobby ${id} :oops`);
  assert.match(await bob.waitFor(/ REDACT #lobby /), new RegExp(`:alice!\\S+ REDACT #lobby ${id} :?oops$`));
  await nc.waitFor(/alice deleted a message \(oops\)/);
  const from = alice.lines.length;
  alice.send('CHATHISTORY LATEST #lobby * 10');
  await alice.waitFor(/ BATCH -/, 5000, from);
  assert.equal(alice.lines.slice(from).filter((l) => l.includes('hunter2')).length, 0);
});

test('draft/channel-rename: RENAME to a capable client, PART+JOIN to irc clients, a line to netcat; history follows', T, async () => {
  const h = await serve();
  const alice = await irc(h.port, 'alice', ['draft/channel-rename', 'batch', 'draft/chathistory', 'server-time', 'message-tags']);
  const bob = await irc(h.port, 'bob');
  await joined(alice, 'alice', '#boaring');
  await joined(bob, 'bob', '#boaring');
  const nc = await netcat(h.port);
  await nc.waitFor(/lobby/i);
  nc.socket.write('/join #boaring\n');
  await alice.waitFor(/ JOIN #boaring/);
  alice.send('PRIVMSG #boaring :before the rename');
  await bob.waitFor(/before the rename/);
  alice.send('RENAME #boaring #boring :Typo fix');
  assert.match(await alice.waitFor(/ RENAME /), /^(@\S+ )?:alice!\S+ RENAME #boaring #boring :Typo fix$/);
  await bob.waitFor(/:bob!\S+ PART #boaring :?Typo fix$/);
  await bob.waitFor(/:bob!\S+ JOIN :?#boring$/);
  await bob.waitFor(/ 366 bob #boring /);
  await nc.waitFor(/alice renamed #boaring to #boring/);
  nc.socket.write('after the rename\n');
  await alice.waitFor(/PRIVMSG #boring :after the rename$/);
  const from = alice.lines.length;
  alice.send('CHATHISTORY LATEST #boring * 10');
  await alice.waitFor(/ BATCH -/, 5000, from);
  assert.ok(alice.lines.slice(from).some((l) => /PRIVMSG #boring :before the rename$/.test(l)), alice.lines.slice(from).join('\n'));
  // renaming onto a room that exists is refused
  await joined(bob, 'bob', '#other');
  alice.send('JOIN #other');
  alice.send('RENAME #boring #other');
  assert.equal(await alice.waitFor(/ FAIL RENAME /), ':test.local FAIL RENAME CHANNEL_NAME_IN_USE #boring #other :The channel name is already taken');
});

test('draft/metadata-2: an avatar and a status set by one client reach a subscribed peer; a key flood is bounded', T, async () => {
  const h = await serve();
  const alice = await irc(h.port, 'alice', ['draft/metadata-2', 'batch']);
  const bob = await irc(h.port, 'bob', ['draft/metadata-2', 'batch']);
  await joined(alice, 'alice', '#m');
  await joined(bob, 'bob', '#m');
  bob.send('METADATA * SUB avatar status');
  await bob.waitFor(/ 770 bob :avatar status$/);
  alice.send('METADATA * SET avatar :https://example.org/alice.png');
  alice.send('METADATA * SET status :reviewing');
  await bob.waitFor(/:alice!\S+ METADATA alice avatar \* :https:\/\/example.org\/alice.png$/);
  await bob.waitFor(/:alice!\S+ METADATA alice status \* :reviewing$/);
  for (let i = 0; i < 15; i++) alice.send(`METADATA * SET flood${i} :x`);
  assert.equal(await alice.waitFor(/ FAIL METADATA /), ':test.local FAIL METADATA LIMIT_REACHED alice :metadata limit reached');
  const from = bob.lines.length;
  bob.send('METADATA alice LIST');
  await bob.waitFor(/ BATCH -/, 5000, from);
  assert.equal(bob.lines.filter((l) => / 761 bob alice /.test(l)).length, 10);
});
