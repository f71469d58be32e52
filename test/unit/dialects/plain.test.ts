/**
 * The plain dialect adapter against the real core (harness: IrcServer + in-memory
 * connections, no sockets): what the user types becomes IRC, what the core says
 * becomes readable text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, withCommand, type Harness } from '../../helpers/harness.js';
import { FakeConnection } from '../../helpers/fake-conn.js';
import { CONTINUATION, PLAIN_COMMANDS, PlainConnection, WRAP_COLUMNS, cleanText, splitText, stamp, wrapRows } from '../../../src/dialects/plain.js';
import type { Session } from '../../../src/core/session.js';
import { parse, utf8Length } from '../../../src/protocol/index.js';

const NOW = new Date(2024, 0, 15, 12, 3); // local time: shows as [12:03]
const tick = () => new Promise<void>((r) => setImmediate(r));

/** A core without history (its join replay is asynchronous) whose clock reads NOW. */
function mk(overrides: Record<string, unknown> = {}): Harness {
  const h = harness({ history: { enabled: false }, ...overrides });
  h.clock.now = NOW.getTime();
  return h;
}

async function plainUser(h: Harness, nicks: string[] = ['guest1'], opts: { password?: boolean } = {}) {
  const inner = new FakeConnection();
  let i = 0;
  const plain = new PlainConnection(inner, {
    config: () => h.server.config,
    now: () => NOW,
    guestNick: () => nicks[Math.min(i++, nicks.length - 1)]!,
  });
  h.server.accept(plain);
  await tick();
  if (opts.password !== true) assert.ok(inner.lines.some((l) => l.startsWith('* Type a message')), inner.lines.join('\n'));
  const session = [...h.server.sessions].find((s) => s.conn === plain) as Session;
  return { inner, plain, session };
}

test('a plain user gets a guest nick, lands in #lobby and sees a short readable welcome', async () => {
  const h = mk();
  const bob = h.client('bob');
  bob.recv('JOIN #lobby');
  bob.recv('TOPIC #lobby :be nice');
  bob.take();
  const { inner, plain } = await plainUser(h);
  assert.deepEqual(inner.lines, [
    '* Welcome to tincan on test.server! You are guest1.',
    '* You are in #lobby with bob (2 people here).',
    '* Topic: be nice',
    // rows are wrapped at 80 columns, the rest indented
    '* Type a message and press Enter to talk. /nick NAME sets your name, /help lists',
    '        commands.',
  ]);
  assert.equal(plain.nick, 'guest1');
  assert.equal(plain.room, '#lobby');
  assert.deepEqual(bob.take(), [':guest1!~guest@127.0.0.1 JOIN #lobby']);
  await h.close();
});

test('a taken guest nick is replaced by another; the default channel comes from config', async () => {
  const h = mk({ defaultChannel: '#hall' });
  h.client('guest1');
  const { inner, plain } = await plainUser(h, ['guest1', 'guest1', 'guest2']);
  assert.equal(plain.nick, 'guest2');
  assert.equal(plain.room, '#hall');
  assert.ok(inner.lines.includes('* You are in #hall. Nobody else is here yet.'));
  assert.ok(!inner.lines.some((l) => l.startsWith('!')), 'no error shown for the retry');
  await h.close();
});

test('typed lines become PRIVMSG to the current room; lines typed before joining are kept in order', async () => {
  const h = mk();
  const bob = h.client('bob');
  bob.recv('JOIN #lobby');
  bob.take();
  const inner = new FakeConnection();
  const plain = new PlainConnection(inner, { config: () => h.server.config, now: () => NOW, guestNick: () => 'guest1' });
  h.server.accept(plain);
  inner.recv('first');
  inner.recv('second');
  await tick();
  inner.recv('//slash is text');
  assert.deepEqual(withCommand(bob.take(), 'PRIVMSG'), [
    ':guest1!~guest@127.0.0.1 PRIVMSG #lobby first',
    ':guest1!~guest@127.0.0.1 PRIVMSG #lobby second',
    ':guest1!~guest@127.0.0.1 PRIVMSG #lobby :/slash is text',
  ]);
  await h.close();
});

test('what others do is rendered as text, never raw IRC', async () => {
  const h = mk();
  const bob = h.client('bob');
  bob.recv('JOIN #lobby');
  const { inner } = await plainUser(h);
  bob.recv('JOIN #other');
  inner.take();

  bob.recv('PRIVMSG #lobby :hi there');
  bob.recv('PRIVMSG #lobby :\x01ACTION waves\x01');
  bob.recv('NOTICE #lobby :a notice');
  bob.recv('PRIVMSG guest1 :psst');
  bob.recv('PRIVMSG guest1 :again');
  bob.recv('TOPIC #lobby :new topic');
  bob.recv('MODE #lobby +m');
  bob.recv('NICK robert');
  bob.recv('PART #lobby :bye');
  bob.recv('JOIN #lobby');
  bob.recv('QUIT :gone home');
  assert.deepEqual(inner.take(), [
    '[12:03] <bob> hi there',
    '[12:03] * bob waves',
    '[12:03] -bob- a notice',
    '[12:03] *bob* psst',
    '* (that was a private message; answer with /msg bob your text)',
    '[12:03] *bob* again',
    '* bob changed the topic of #lobby to: new topic',
    '* bob set mode +m on #lobby',
    '* bob is now known as robert',
    '* robert left #lobby (bye)',
    '* robert joined #lobby',
    '* robert left tincan (Quit: gone home)',
  ]);
  await h.close();
});

test('messages in another joined room name the room; /join switches rooms, /part goes back', async () => {
  const h = mk();
  const bob = h.client('bob');
  bob.recv('JOIN #lobby,#games');
  const { inner, plain } = await plainUser(h);
  inner.recv('/join games');
  assert.equal(plain.room, '#games');
  assert.ok(inner.lines.includes('* You are in #games with bob (2 people here).'));
  inner.take();
  bob.recv('PRIVMSG #lobby :in the lobby');
  bob.recv('PRIVMSG #games :in games');
  assert.deepEqual(inner.take(), ['[12:03] #lobby <bob> in the lobby', '[12:03] <bob> in games']);
  inner.recv('/join #lobby');
  assert.deepEqual(inner.take(), ['* Now talking in #lobby.']);
  inner.recv('/part #games');
  assert.deepEqual(inner.take(), ['* You left #games']);
  assert.equal(plain.room, '#lobby');
  inner.recv('/part');
  assert.deepEqual(inner.take(), ['* You left #lobby', '* You are not in any room now. /join #lobby to come back.']);
  inner.recv('hello?');
  assert.match(inner.take()[0]!, /^! You are not in a room\./);
  await h.close();
});

test('commands map to IRC and errors read as plain language', async () => {
  const h = mk();
  const bob = h.client('bob');
  bob.recv('JOIN #lobby');
  const { inner, session } = await plainUser(h);
  inner.take();
  bob.take();

  inner.recv('/nick bob');
  assert.deepEqual(inner.take(), ['! The name bob is already taken; try another one.']);
  inner.recv('/nick 9lives');
  assert.match(inner.take()[0]!, /^! "9lives" can't be a name here/);
  inner.recv('/nick alice');
  assert.deepEqual(inner.take(), ['* You are now known as alice']);
  assert.equal(session.nick, 'alice');

  inner.recv('/msg bob hello bob');
  assert.deepEqual(inner.take(), ['[12:03] -> bob: hello bob']);
  assert.deepEqual(withCommand(bob.take(), 'PRIVMSG'), [':alice!~guest@127.0.0.1 PRIVMSG bob :hello bob']);
  inner.recv('/msg ghost boo');
  assert.deepEqual(inner.take(), ['! There is no one called ghost here.']);
  inner.recv('/msg bob');
  assert.deepEqual(inner.take(), ['! Usage: /msg NAME text']);

  inner.recv('/me dances');
  assert.deepEqual(withCommand(bob.take(), 'PRIVMSG'), [':alice!~guest@127.0.0.1 PRIVMSG #lobby :\x01ACTION dances\x01']);

  inner.recv('/away lunch');
  assert.deepEqual(inner.take(), ['* You are marked as away. /away again when you are back.']);
  bob.recv('PRIVMSG alice :there?');
  bob.take();
  inner.take();
  inner.recv('/away');
  assert.deepEqual(inner.take(), ['* You are back (no longer marked away).']);

  inner.recv('/who');
  assert.deepEqual(inner.take(), ['* In #lobby: @bob, alice (2 people)']);
  inner.recv('/rooms');
  assert.deepEqual(inner.take(), ['* Rooms (/join #name to go in):', '*   #lobby (2 people)']);
  inner.recv('/topic');
  assert.deepEqual(inner.take(), ['* #lobby has no topic. /topic TEXT sets one.']);
  inner.recv('/topic x');
  assert.deepEqual(inner.take(), ['! You need to be an operator of #lobby to do that.']);
  inner.recv('/join #bad,name');
  inner.take();
  inner.recv('/join');
  assert.deepEqual(inner.take(), ['! Usage: /join #room']);
  inner.recv('/whois bob');
  assert.ok(inner.take().includes('* bob is ~bob@127.0.0.1 (bob Realname)'));
  inner.recv('/help');
  assert.ok(inner.take().some((l) => l.includes('/msg NAME text')));
  inner.recv('/dance');
  assert.deepEqual(inner.take(), ['! Unknown command /dance. Type /help for the list.']);

  inner.recv('/quit later all');
  assert.deepEqual(withCommand(bob.take(), 'QUIT'), [':alice!~guest@127.0.0.1 QUIT :Quit: later all']);
  assert.equal(inner.closed, true);
  assert.equal(inner.closeLine, '* Disconnected: Quit: later all');
  await h.close();
});

test('/help lists every command of the table and nothing else; every name it lists is a command', async () => {
  const h = mk();
  const { inner } = await plainUser(h);
  inner.take();
  inner.recv('/help');
  const rows = inner.take();
  const listed = rows.map((l) => /^\*   \/(\S+)/.exec(l)?.[1]).filter((n) => n !== undefined);
  assert.deepEqual(
    [...listed].sort(),
    PLAIN_COMMANDS.specs.map((s) => s.name).sort(),
  );
  // the commands the old hand-written list left out are there
  for (const n of ['kick', 'invite', 'back', 'quote']) assert.ok(listed.includes(n), n);
  // each listed name, and each alias, is understood (quit last: it closes)
  const names = [...PLAIN_COMMANDS.names.filter((n) => !['quit', 'exit', 'bye'].includes(n)), 'quit'];
  for (const n of names) {
    inner.recv(`/${n}`);
    const out = inner.take();
    assert.ok(!out.some((l) => l.includes('Unknown command')), `/${n}: ${out.join(' | ')}`);
  }
  assert.equal(inner.closed, true);
  await h.close();
});

test('/help CMD explains one command (with its aliases); /help of no command says so', async () => {
  const h = mk();
  const { inner } = await plainUser(h);
  inner.take();
  inner.recv('/help msg');
  assert.deepEqual(inner.take(), ['*   /msg NAME text  a private message (NAME can be a #room too)', '*   also: /tell /query /m']);
  inner.recv('/help /tell');
  assert.equal(inner.take()[0], '*   /msg NAME text  a private message (NAME can be a #room too)');
  inner.recv('/help dance');
  assert.deepEqual(inner.take(), ['! There is no command /dance. Type /help for the list.']);
  await h.close();
});

test('being kicked, invited, and a PING from the server are handled', async () => {
  const h = mk();
  const bob = h.client('bob');
  bob.recv('JOIN #lobby');
  const { inner, plain, session } = await plainUser(h);
  inner.take();
  bob.recv('JOIN #secret');
  bob.recv('INVITE guest1 #secret');
  bob.recv('KICK #lobby guest1 :out');
  assert.deepEqual(inner.take(), [
    '* bob invites you to #secret: type /join #secret',
    '* bob kicked you from #lobby (out)',
    '* You are not in any room now. /join #lobby to come back.',
  ]);
  assert.equal(plain.room, null);

  session.pingSentAt = 12345;
  plain.write(':test.server PING :tok');
  await tick();
  assert.equal(session.pingSentAt, 0, 'the PONG reached the core');
  assert.equal(inner.lines.length, 0, 'nothing shown for PING');
  await h.close();
});

test('a server password is asked for first; a wrong one disconnects with a readable reason', async () => {
  const h = mk({ password: 'sesame' });
  const ok = await plainUser(h, ['guest1'], { password: true });
  assert.deepEqual(ok.inner.take(), ['* This tincan server needs a password. Type it and press Enter:']);
  ok.inner.recv('sesame');
  await tick();
  assert.ok(ok.inner.lines.includes('* Welcome to tincan on test.server! You are guest1.'));

  const bad = await plainUser(h, ['guest2'], { password: true });
  bad.inner.recv('letmein');
  await tick();
  assert.ok(bad.inner.lines.includes('! Wrong password.'));
  assert.equal(bad.inner.closed, true);
  assert.match(bad.inner.closeLine ?? '', /^\* Disconnected: Bad password$/);
  await h.close();
});

test('replayed messages show their own time from the server-time tag', async () => {
  const h = mk();
  const { inner, plain } = await plainUser(h);
  inner.take();
  const then = new Date(2024, 0, 15, 9, 41);
  const earlier = new Date(2023, 11, 24, 18, 5);
  plain.write(`@time=${then.toISOString()} :bob!~bob@h PRIVMSG #lobby :morning`);
  plain.write(`@time=${earlier.toISOString()} :bob!~bob@h PRIVMSG #lobby :last year`);
  assert.deepEqual(inner.take(), ['[09:41] <bob> morning', '[2023-12-24 18:05] <bob> last year']);
  assert.equal(stamp(NOW), '[12:03]');
  await h.close();
});

test('formatting and control characters from IRC are stripped; CTCP VERSION is answered, not shown', async () => {
  const h = mk();
  const bob = h.client('bob');
  bob.recv('JOIN #lobby');
  const { inner } = await plainUser(h);
  inner.take();
  bob.take();
  bob.recv('PRIVMSG #lobby :\x02bold\x0f \x0312,4colour\x03 \x1b[31mred\x07');
  assert.deepEqual(inner.take(), ['[12:03] <bob> bold colour [31mred']);
  bob.recv('PRIVMSG guest1 :\x01VERSION\x01');
  await tick();
  assert.deepEqual(inner.take(), []);
  assert.deepEqual(withCommand(bob.take(), 'NOTICE'), [':guest1!~guest@127.0.0.1 NOTICE bob :\x01VERSION tincan plain-text connection (netcat/telnet)\x01']);
  await h.close();
});

test('a long typed line is split into several messages on word boundaries', async () => {
  const h = mk();
  const bob = h.client('bob');
  bob.recv('JOIN #lobby');
  const { inner } = await plainUser(h);
  bob.take();
  const words = Array.from({ length: 150 }, (_, i) => `word${i}`).join(' ');
  inner.recv(words);
  const sent = withCommand(bob.take(), 'PRIVMSG').map((l) => {
    const r = parse(l);
    assert.ok(r.ok);
    return r.msg.params[1]!;
  });
  assert.ok(sent.length >= 3, `split into ${sent.length}`);
  assert.equal(sent.join(' '), words);
  for (const s of sent) assert.ok(!s.startsWith(' ') && !s.endsWith(' '));
  await h.close();
});

test('a 2,000-character paste is split on word boundaries: no word cut, no part starting with a space', async () => {
  const h = mk();
  const bob = h.client('bob');
  bob.recv('JOIN #lobby');
  const { inner } = await plainUser(h);
  bob.take();
  // prose with two spaces after each sentence, and a long link early in the first part
  // (the old splitter cut a word when the last space was in the first half of a part,
  // and removed only one of two spaces at a break)
  const link = 'https://example.com/' + 'a'.repeat(230);
  const sentence = 'The quick brown fox jumps over the lazy dog near the river bank.  ';
  let paste = 'Look at this one: ' + 'x'.repeat(120) + ' ' + link + ' ';
  while (paste.length < 2000) paste += sentence;
  paste = paste.slice(0, 2000).trimEnd();
  inner.recv(paste);
  const sent = withCommand(bob.take(), 'PRIVMSG').map((l) => {
    const r = parse(l);
    assert.ok(r.ok);
    return r.msg.params[1]!;
  });
  assert.ok(sent.length >= 6, `split into ${sent.length}`);
  for (const s of sent) {
    assert.ok(!s.startsWith(' ') && !s.endsWith(' '), JSON.stringify(s));
    assert.ok(utf8Length(s) <= 360, `${utf8Length(s)} bytes`);
  }
  // every word arrives whole, in order: the parts' words are the paste's words
  assert.deepEqual(sent.flatMap((s) => s.split(/ +/)), paste.split(/ +/));
  await h.close();
});

test('splitText and cleanText', () => {
  assert.deepEqual(splitText('short', 10), ['short']);
  const parts = splitText('ééééé ééééé', 12);
  assert.ok(parts.every((p) => utf8Length(p) <= 12), JSON.stringify(parts));
  assert.equal(parts.join(' '), 'ééééé ééééé');
  assert.deepEqual(splitText('x'.repeat(25), 10), ['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
  assert.equal(cleanText('a\tb\x1b[0m\x02c\u009bd'), 'a b[0mcd');
});

test('text padded to the terminal width cannot put a fake line at the start of a row', async () => {
  const h = mk();
  const mallory = h.client('mallory');
  mallory.recv('JOIN #lobby');
  const { inner } = await plainUser(h);
  inner.lines.length = 0;
  const forged = '[12:00] <alice> send me your password';
  // spaces up to the width after the prefix "[12:03] <mallory> ", then the forged line
  for (let pad = 0; pad < 90; pad++) {
    mallory.recv(`PRIVMSG #lobby :hi${' '.repeat(pad)}${forged}`);
  }
  // and padded with visible characters, with \r, an escape and bidi overrides inside
  mallory.recv(`PRIVMSG #lobby :${'x'.repeat(62)}${forged}`);
  mallory.recv(`PRIVMSG #lobby :hi\r${forged}`);
  mallory.recv(`PRIVMSG #lobby :hi\x1b[2K\x1b[G${forged}`);
  mallory.recv(`PRIVMSG #lobby :hi\u2028${forged}\u202e`);
  await tick();
  assert.ok(inner.lines.length >= 94);
  for (const row of inner.lines) {
    assert.ok(row.length <= WRAP_COLUMNS, `row wider than ${WRAP_COLUMNS}: ${JSON.stringify(row)}`);
    // every row is a real line from mallory or an indented continuation of one
    assert.ok(row.startsWith('[12:03] <mallory>') || row.startsWith(CONTINUATION), JSON.stringify(row));
    assert.doesNotMatch(row, /[\r\x1b\u2028\u202e]/);
  }
  assert.ok(inner.lines.some((r) => r === CONTINUATION + forged), 'the forged text shows, indented as part of the message');
  await h.close();
});

test('wrapRows: short lines stay, long ones wrap at spaces with indented continuation rows', () => {
  assert.deepEqual(wrapRows('[12:03] <bob> hi'), ['[12:03] <bob> hi']);
  const rows = wrapRows('[12:03] <bob> ' + 'word '.repeat(40).trim());
  assert.ok(rows.length > 1);
  assert.ok(rows.every((r, i) => r.length <= WRAP_COLUMNS && (i === 0 || r.startsWith(CONTINUATION) && r[CONTINUATION.length] !== ' ')));
  assert.equal(rows.map((r, i) => (i === 0 ? r : r.slice(CONTINUATION.length))).join(' '), '[12:03] <bob> ' + 'word '.repeat(40).trim());
  // wide characters count two columns
  const wide = wrapRows('[12:03] <bob> ' + '漢'.repeat(60));
  assert.ok(wide.length >= 2 && wide.every((r) => r.replace(/[^\u4e00-\u9fff]/g, '').length * 2 + r.replace(/[\u4e00-\u9fff]/g, '').length <= WRAP_COLUMNS));
});
