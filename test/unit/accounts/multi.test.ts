// One account, many sessions (src/accounts/presence.ts) against the core: shared nick,
// channels, fan-out, echo to siblings, one QUIT when the last session leaves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, withCommand, hasNumeric, type Harness } from '../../helpers/harness.js';
import type { FakeConnection } from '../../helpers/fake-conn.js';
import type { Session } from '../../../src/core/session.js';
import { saslLogin } from './util.js';

const PW = 'correct horse';

function sessionOf(h: Harness, c: FakeConnection): Session {
  for (const s of h.server.sessions) if (s.conn === c) return s;
  throw new Error('no session for that connection');
}

const saslClient = (h: Harness, nick: string, account: string, caps: string[] = []): Promise<FakeConnection> => saslLogin(h, nick, account, PW, caps);

async function setup(): Promise<Harness> {
  const h = harness();
  const r = await h.server.accounts.register('alice', PW, h.clock.now, 4096);
  assert.ok(r.ok);
  return h;
}

test('a second session takes the account nick and its channels; the room sees one user', async () => {
  const h = await setup();
  try {
    const a = await saslClient(h, 'alice', 'alice');
    const bob = h.client('bob', ['extended-join']);
    a.recv('JOIN #room');
    bob.recv('JOIN #room');
    a.recv('TOPIC #room :the topic');
    bob.take();
    a.take();
    const b = await saslClient(h, 'phone', 'alice');
    const got = b.lines.join('\n');
    assert.match(got, / 001 alice :Welcome/, 'the welcome uses the account nick');
    assert.match(got, /:alice!~phone@127\.0\.0\.1 JOIN #room/);
    assert.match(got, / 332 alice #room :the topic/);
    assert.match(got, / 353 alice = #room :@alice bob\r?$/m, 'NAMES shows alice once');
    assert.match(got, / 366 alice #room /);
    assert.deepEqual(withCommand(bob.take(), 'JOIN'), [], 'no JOIN for others');
    bob.recv('NAMES #room');
    const names = withCommand(bob.take(), '353');
    assert.equal(names.length, 1);
    assert.match(names[0]!, /:@alice bob$/);
    bob.recv('WHO #room');
    assert.equal(withCommand(bob.take(), '352').length, 2, 'WHO shows two users');
    bob.recv('LIST #room');
    assert.match(withCommand(bob.take(), '322')[0]!, / #room 2 /);
  } finally {
    await h.close();
  }
});

test('what is sent to the nick or the channel reaches every session; what one sends is echoed to the others', async () => {
  const h = await setup();
  try {
    const a = await saslClient(h, 'alice', 'alice', ['echo-message']);
    const b = await saslClient(h, 'laptop', 'alice');
    const bob = h.client('bob');
    a.recv('JOIN #room');
    bob.recv('JOIN #room');
    a.take();
    b.take();
    bob.take();
    bob.recv('PRIVMSG alice :hi there');
    assert.match(a.take().join('\n'), /:bob!~bob@127\.0\.0\.1 PRIVMSG alice :hi there/);
    assert.match(b.take().join('\n'), /:bob!~bob@127\.0\.0\.1 PRIVMSG alice :hi there/);
    bob.recv('NOTICE alice :a notice');
    assert.match(a.take().join('\n'), /NOTICE alice :a notice/);
    assert.match(b.take().join('\n'), /NOTICE alice :a notice/);
    bob.recv('PRIVMSG #room :to the room');
    assert.match(a.take().join('\n'), /PRIVMSG #room :to the room/);
    assert.match(b.take().join('\n'), /PRIVMSG #room :to the room/);
    // a (echo-message) writes to bob: b (no echo-message) sees it from its own nick, once
    a.recv('PRIVMSG bob :reply from the phone');
    assert.equal(withCommand(bob.take(), 'PRIVMSG').length, 1);
    const bLines = b.take();
    assert.deepEqual(withCommand(bLines, 'PRIVMSG'), [':alice!~alice@127.0.0.1 PRIVMSG bob :reply from the phone']);
    assert.match(a.take().join('\n'), /:alice!~alice@127\.0\.0\.1 PRIVMSG bob :reply from the phone/, 'a asked for its echo');
    // b writes to the room: a sees it (as a member), bob once
    b.recv('PRIVMSG #room :from the laptop');
    assert.match(a.take().join('\n'), /:alice!~laptop@127\.0\.0\.1 PRIVMSG #room :from the laptop/);
    assert.equal(withCommand(bob.take(), 'PRIVMSG').length, 1);
    assert.deepEqual(withCommand(b.take(), 'PRIVMSG'), [], 'b did not ask for echo-message; a channel member copy is not sent to the sender');
    // to yourself: every session once
    b.recv('PRIVMSG alice :note to self');
    assert.equal(withCommand(a.take(), 'PRIVMSG').length, 1);
    assert.equal(withCommand(b.take(), 'PRIVMSG').length, 1);
  } finally {
    await h.close();
  }
});

test('JOIN and PART by one session apply to all; MODE and KICK treat them as one user', async () => {
  const h = await setup();
  try {
    const a = await saslClient(h, 'alice', 'alice');
    const b = await saslClient(h, 'laptop', 'alice');
    const bob = h.client('bob');
    bob.recv('JOIN #bobs');
    bob.take();
    b.recv('JOIN #bobs');
    assert.equal(withCommand(bob.take(), 'JOIN').length, 1, 'others see one JOIN');
    const aj = a.take().join('\n');
    assert.match(aj, /:alice!~alice@127\.0\.0\.1 JOIN #bobs/, 'the sibling joins too, told alone');
    assert.match(aj, / 353 alice = #bobs :@bob alice/);
    bob.recv('MODE #bobs +o alice');
    a.take();
    b.take();
    const ch = h.server.findChannel('#bobs')!;
    assert.deepEqual([...ch.members.values()], [1, 1, 1], 'both sessions are operators');
    a.recv('PART #bobs :bye');
    assert.equal(withCommand(bob.take(), 'PART').length, 1);
    assert.match(b.take().join('\n'), /PART #bobs :?bye/);
    assert.equal(ch.members.size, 1);
    assert.equal(sessionOf(h, b).channels.size, 0);
    b.recv('JOIN #bobs');
    bob.recv('KICK #bobs alice :out');
    assert.equal(ch.members.size, 1, 'KICK removed both sessions');
    assert.match(a.take().join('\n'), /KICK #bobs alice :?out/);
  } finally {
    await h.close();
  }
});

test('others see a QUIT only when the last session leaves; the nick stays with a promoted sibling', async () => {
  const h = await setup();
  try {
    const a = await saslClient(h, 'alice', 'alice');
    const b = await saslClient(h, 'laptop', 'alice');
    const bob = h.client('bob');
    a.recv('JOIN #room');
    bob.recv('JOIN #room');
    bob.take();
    a.recv('QUIT :phone off');
    assert.deepEqual(withCommand(bob.take(), 'QUIT'), []);
    bob.recv('WHOIS alice');
    const w = bob.take().join('\n');
    assert.match(w, / 311 bob alice ~laptop 127\.0\.0\.1 /, 'WHOIS now shows the remaining session');
    bob.recv('PRIVMSG alice :still there?');
    assert.match(b.take().join('\n'), /PRIVMSG alice :still there\?/);
    b.recv('QUIT :all gone');
    assert.match(bob.take().join('\n'), /:alice!~laptop@127\.0\.0\.1 QUIT :Quit: all gone/);
    assert.equal(h.server.findNick('alice'), undefined);
    assert.equal(h.server.whowas.get('alice').length, 1, 'one WHOWAS entry for one user');
  } finally {
    await h.close();
  }
});

test('NICK by any session renames the account everywhere', async () => {
  const h = await setup();
  try {
    const a = await saslClient(h, 'alice', 'alice');
    const b = await saslClient(h, 'laptop', 'alice');
    const bob = h.client('bob');
    a.recv('JOIN #room');
    bob.recv('JOIN #room');
    a.take();
    b.take();
    bob.take();
    b.recv('NICK alicia');
    assert.equal(withCommand(bob.take(), 'NICK').length, 1);
    assert.match(a.take().join('\n'), /NICK :?alicia/);
    assert.equal(sessionOf(h, a).nick, 'alicia');
    assert.equal(h.server.findNick('alicia'), sessionOf(h, b));
    assert.equal(h.server.findNick('alice'), undefined);
    a.recv('NICK Alicia');
    assert.equal(sessionOf(h, b).nick, 'Alicia');
    assert.ok(!hasNumeric(a.take(), '433'), 'a case change of the shared nick is not "in use"');
  } finally {
    await h.close();
  }
});

test('a registered session logging in attaches: its old nick quits, it takes the account nick and rooms', async () => {
  const h = await setup();
  try {
    const a = await saslClient(h, 'alice', 'alice');
    a.recv('JOIN #room');
    const bob = h.client('bob');
    bob.recv('JOIN #room');
    bob.recv('JOIN #side');
    const g = h.client('guest42');
    g.recv('JOIN #side');
    g.recv('JOIN #room');
    bob.take();
    a.take();
    g.take();
    // as NickServ IDENTIFY or plain /login would
    h.server.setAccount(sessionOf(h, g), 'alice');
    const seen = bob.take();
    assert.match(seen.join('\n'), /:guest42!~guest42@127\.0\.0\.1 QUIT :Logged in as alice/);
    assert.match(seen.join('\n'), /:alice!~guest42@127\.0\.0\.1 JOIN #side/, 'the account arrives in the room only this session was in');
    const gl = g.take().join('\n');
    assert.match(gl, /:guest42!~guest42@127\.0\.0\.1 NICK :?alice/);
    assert.match(gl, / 353 alice = #room /);
    // the first session follows into #side, told alone
    assert.match(a.take().join('\n'), /:alice!~alice@127\.0\.0\.1 JOIN #side/);
    assert.equal(h.server.findChannel('#side')!.members.size, 3);
    assert.equal(h.server.findNick('guest42'), undefined);
  } finally {
    await h.close();
  }
});

test('a session logging out leaves the account quietly, under a nick of its own', async () => {
  const h = await setup();
  try {
    const a = await saslClient(h, 'alice', 'alice', ['account-notify']);
    const b = await saslClient(h, 'laptop', 'alice');
    const bob = h.client('bob', ['account-notify']);
    a.recv('JOIN #room');
    bob.recv('JOIN #room');
    a.take();
    b.take();
    bob.take();
    h.server.setAccount(sessionOf(h, a), null);
    assert.deepEqual(bob.take(), [], 'bob sees nothing: alice is still logged in on another session');
    const al = a.take().join('\n');
    assert.match(al, /PART #room :?Logged out/);
    const nick = sessionOf(h, a).nick;
    assert.notEqual(nick, 'alice');
    assert.equal(h.server.findNick(nick), sessionOf(h, a));
    assert.equal(h.server.findNick('alice'), sessionOf(h, b));
    bob.recv('PRIVMSG alice :only the laptop');
    assert.match(b.take().join('\n'), /only the laptop/);
    assert.doesNotMatch(a.take().join('\n'), /only the laptop/);
  } finally {
    await h.close();
  }
});

test('a plain-line sibling sees what another session wrote as "-> bob: text", as its own /msg shows it', async () => {
  const { PlainConnection } = await import('../../../src/dialects/plain.js');
  const { FakeConnection } = await import('../../helpers/fake-conn.js');
  const h = harness({ history: { enabled: false } });
  try {
    assert.ok((await h.server.accounts.register('alice', PW, h.clock.now, 4096)).ok);
    const a = await saslClient(h, 'alice', 'alice');
    h.client('bob');
    const inner = new FakeConnection();
    const plain = new PlainConnection(inner, { config: () => h.server.config, now: () => new Date(h.clock.now), guestNick: () => 'guest1' });
    h.server.accept(plain);
    await new Promise<void>((r) => setImmediate(r));
    // as plain /login would
    h.server.setAccount(sessionOf(h, plain as unknown as FakeConnection), 'alice');
    inner.take();
    a.recv('PRIVMSG bob :from the terminal');
    assert.ok(inner.take().some((l) => /^\[\d\d:\d\d\] -> bob: from the terminal$/.test(l)), inner.lines.join('\n'));
  } finally {
    await h.close();
  }
});

test('+l counts users, not sessions: a second session of a member gets in, and counts once', async () => {
  const h = await setup();
  try {
    const a = await saslClient(h, 'alice', 'alice');
    a.recv('JOIN #full');
    const bob = h.client('bob');
    bob.recv('JOIN #full');
    a.recv('MODE #full +l 3');
    const phone = await saslClient(h, 'phone', 'alice');
    // alice's second session is in (attached), the room still has two users
    assert.match(phone.lines.join('\n'), /JOIN #full/);
    phone.recv('JOIN #full');
    assert.equal(hasNumeric(phone.take(), '471'), false, 'no +l refusal for a user already in');
    const carol = h.client('carol');
    carol.recv('JOIN #full');
    assert.equal(hasNumeric(carol.take(), '471'), false, 'a third user fits +l 3 (three sessions, two users before)');
    const dave = h.client('dave');
    dave.recv('JOIN #full');
    assert.equal(hasNumeric(dave.take(), '471'), true, 'a fourth user does not');
  } finally {
    await h.close();
  }
});

test('a private REDACT reaches every session of both users (draft/message-redaction)', async () => {
  const h = await setup();
  try {
    const caps = ['draft/message-redaction', 'message-tags', 'echo-message'];
    const a = await saslClient(h, 'alice', 'alice', caps);
    const a2 = await saslClient(h, 'phone', 'alice');
    const bob = h.client('bob', caps);
    bob.recv('PRIVMSG alice :oops');
    const line = bob.take().find((l) => / PRIVMSG alice :?oops$/.test(l))!;
    const id = /msgid=([^; ]+)/.exec(line)![1]!;
    a.take();
    a2.take();
    bob.recv(`REDACT alice ${id}`);
    assert.equal(withCommand(bob.take(), 'REDACT').length, 1, 'the author');
    assert.equal(withCommand(a.take(), 'REDACT').length, 1, "the recipient's session with the capability");
    assert.deepEqual(a2.take(), [':test.server NOTICE alice :*** bob deleted a message'], 'and her other session, without it');
  } finally {
    await h.close();
  }
});
