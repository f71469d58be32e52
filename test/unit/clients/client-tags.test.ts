/**
 * Client tags in the shared client model: +typing (sent throttled, shown, expiring,
 * CLIENTTAGDENY), +draft/reply (sent, parent quoted) and +draft/react (counts, unreact,
 * bounds against a peer that floods them).
 */
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { registeredClient } from './registered-client.js';
import {
  clientTagAllowed,
  MAX_REACTIONS_PER_LINE,
  MAX_REACTORS,
  MAX_TYPING_PER_BUFFER,
  typingText,
  TYPING_ACTIVE_TTL_MS,
  TYPING_PAUSE_AFTER_MS,
  TYPING_SEND_EVERY_MS,
} from '../../../src/clients/shared/client-tags.js';

const fake = (caps = 'server-time echo-message batch message-tags', isupport?: string) => registeredClient(caps, isupport);

test('CLIENTTAGDENY: * denies all but the exempted, a name denies one', () => {
  assert.equal(clientTagAllowed([], '+typing'), true);
  assert.equal(clientTagAllowed(['*'], 'typing'), false);
  assert.equal(clientTagAllowed(['*', '-typing'], '+typing'), true);
  assert.equal(clientTagAllowed(['*', '-typing'], 'draft/react'), false);
  assert.equal(clientTagAllowed(['draft/react'], 'draft/react'), false);
  assert.equal(clientTagAllowed(['draft/react'], 'typing'), true);
});

test('typing sent: active at most every 3 s, paused after 5 s idle, done on send and on clearing', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const f = fake();
    f.c.typing('#a', 'h');
    f.c.typing('#a', 'he');
    assert.deepEqual(f.sent, ['@+typing=active TAGMSG #a']);
    f.advance(TYPING_SEND_EVERY_MS - 1);
    f.c.typing('#a', 'hel');
    assert.equal(f.sent.length, 1, 'not again within 3 s');
    f.advance(1);
    f.c.typing('#a', 'hell');
    assert.deepEqual(f.sent, ['@+typing=active TAGMSG #a', '@+typing=active TAGMSG #a']);
    f.advance(TYPING_PAUSE_AFTER_MS);
    assert.equal(f.sent.at(-1), '@+typing=paused TAGMSG #a');
    f.c.say('#a', 'hello');
    assert.deepEqual(f.sent.slice(-2), ['PRIVMSG #a hello', '@+typing=done TAGMSG #a']);
    // a new message typed, then the box emptied: done
    f.c.typing('#a', 'x');
    f.c.typing('#a', '');
    assert.deepEqual(f.sent.slice(-2), ['@+typing=active TAGMSG #a', '@+typing=done TAGMSG #a']);
    // a command is not typing a message
    const n = f.sent.length;
    f.c.typing('#a', '/join #b');
    assert.equal(f.sent.length, n);
    // nothing after the connection went, and its pause timer was cleared
    f.c.typing('#a', 'abc');
    f.drop();
    const m = f.sent.length;
    f.advance(TYPING_PAUSE_AFTER_MS * 2);
    assert.equal(f.sent.length, m);
  } finally {
    mock.timers.reset();
  }
});

test('typing not sent without message-tags, nor when CLIENTTAGDENY denies it', () => {
  const a = fake('server-time echo-message');
  a.c.typing('#a', 'hi');
  assert.deepEqual(a.sent, []);
  const b = fake('message-tags', 'CHANTYPES=# CLIENTTAGDENY=*,-draft/react');
  b.c.typing('#a', 'hi');
  assert.deepEqual(b.sent, []);
  const c = fake('message-tags', 'CHANTYPES=# CLIENTTAGDENY=*,-typing');
  c.c.typing('#a', 'hi');
  assert.deepEqual(c.sent, ['@+typing=active TAGMSG #a']);
});

test('typing received: shown, cleared by done or a message, expires after 6 s; private chats too', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const f = fake();
    const a = f.c.find('#a')!;
    f.recv('@+typing=active :ana!u@h TAGMSG #a');
    assert.equal(typingText(a.typing.list()), 'ana is typing…');
    f.recv('@+typing=active :bo!u@h TAGMSG #a');
    assert.equal(typingText(a.typing.list()), 'ana and bo are typing…');
    f.recv('@+typing=done :bo!u@h TAGMSG #a');
    assert.equal(typingText(a.typing.list()), 'ana is typing…');
    f.recv(':ana!u@h PRIVMSG #a :hi');
    assert.equal(a.typing.size, 0, 'a message ends typing');
    f.recv('@+typing=active :ana!u@h TAGMSG #a');
    f.advance(TYPING_ACTIVE_TTL_MS - 100);
    assert.equal(a.typing.size, 1);
    f.advance(200);
    assert.equal(a.typing.size, 0, 'expired after 6 s without an update');
    // private: only into an open conversation, never a new window for a tag
    f.recv('@+typing=active :zed!u@h TAGMSG me');
    assert.equal(f.c.find('zed'), undefined);
    f.recv(':zed!u@h PRIVMSG me :yo', '@+typing=active :zed!u@h TAGMSG me');
    assert.equal(typingText(f.c.find('zed')!.typing.list()), 'zed is typing…');
    // our own echo is not "me is typing"; a TAGMSG is never shown as text
    f.recv('@+typing=active :me!u@h TAGMSG #a');
    assert.equal(a.typing.size, 0);
    assert.ok(!f.c.server.lines.some((l) => l.text.includes('TAGMSG')));
    // a crowd is bounded
    for (let i = 0; i < MAX_TYPING_PER_BUFFER + 30; i++) f.recv(`@+typing=active :n${i}!u@h TAGMSG #a`);
    assert.equal(a.typing.size, MAX_TYPING_PER_BUFFER);
    f.drop();
    assert.equal(a.typing.size, 0, 'nobody types while we are away');
  } finally {
    mock.timers.reset();
  }
});

test('reply: sent with +draft/reply; received replies quote their parent from the window', () => {
  const f = fake();
  f.recv('@msgid=m1 :ana!u@h PRIVMSG #a :what time is it?');
  f.c.say('#a', 'noon', false, 'm1');
  assert.deepEqual(f.sent.slice(0, 1), ['@+draft/reply=m1 PRIVMSG #a noon']);
  f.recv('@msgid=m2;+draft/reply=m1 :me!u@h PRIVMSG #a noon');
  const a = f.c.find('#a')!;
  const reply = a.lines.find((l) => l.msgid === 'm2')!;
  assert.equal(reply.replyTo, 'm1');
  assert.deepEqual(reply.parent, { nick: 'ana', text: 'what time is it?' });
  // a parent not in the window: the reply is still marked, with no quote
  f.recv('@msgid=m3;+draft/reply=gone :bo!u@h PRIVMSG #a :me too');
  const r3 = a.lines.find((l) => l.msgid === 'm3')!;
  assert.equal(r3.replyTo, 'gone');
  assert.equal(r3.parent, undefined);
  // denied: the message goes without the tag
  const g = fake('message-tags', 'CHANTYPES=# CLIENTTAGDENY=draft/reply');
  g.c.say('#a', 'plain', false, 'm1');
  assert.equal(g.sent[0], 'PRIVMSG #a plain');
});

test('reactions: counted per emoji, unreact, own reaction toggles, bounded per message', () => {
  const f = fake();
  f.recv('@msgid=m1 :ana!u@h PRIVMSG #a :lunch?');
  const line = f.c.find('#a')!.lines.find((l) => l.msgid === 'm1')!;
  f.recv('@+draft/react=👍;+draft/reply=m1 :bo!u@h TAGMSG #a');
  f.recv('@+draft/react=👍;+draft/reply=m1 :cy!u@h TAGMSG #a');
  f.recv('@+draft/react=👍;+draft/reply=m1 :CY!u@h TAGMSG #a'); // the same person (case-folded)
  assert.deepEqual(line.reactions, [{ emoji: '👍', nicks: ['bo', 'cy'] }]);
  f.recv('@+draft/unreact=👍;+draft/reply=m1 :bo!u@h TAGMSG #a');
  assert.deepEqual(line.reactions, [{ emoji: '👍', nicks: ['cy'] }]);
  // ours: sent, applied when the echo comes; again takes it back
  assert.equal(f.c.react(f.c.find('#a')!, line, '🎉'), null);
  assert.equal(f.sent.at(-1), '@+draft/react=🎉;+draft/reply=m1 TAGMSG #a');
  f.recv('@+draft/react=🎉;+draft/reply=m1 :me!u@h TAGMSG #a');
  assert.deepEqual(line.reactions?.map((r) => [r.emoji, r.nicks.length]), [['👍', 1], ['🎉', 1]]);
  f.c.react(f.c.find('#a')!, line, '🎉');
  assert.equal(f.sent.at(-1), '@+draft/unreact=🎉;+draft/reply=m1 TAGMSG #a');
  // junk and floods
  f.recv(`@+draft/react=${'x'.repeat(100)};+draft/reply=m1 :bo!u@h TAGMSG #a`);
  f.recv('@+draft/react=\\s;+draft/reply=m1 :bo!u@h TAGMSG #a');
  assert.equal(line.reactions!.length, 2, 'too long or empty: no reaction');
  for (let i = 0; i < MAX_REACTIONS_PER_LINE + 10; i++) f.recv(`@+draft/react=e${i};+draft/reply=m1 :bo!u@h TAGMSG #a`);
  assert.equal(line.reactions!.length, MAX_REACTIONS_PER_LINE);
  for (let i = 0; i < MAX_REACTORS + 10; i++) f.recv(`@+draft/react=👍;+draft/reply=m1 :p${i}!u@h TAGMSG #a`);
  assert.equal(line.reactions!.find((r) => r.emoji === '👍')!.nicks.length, MAX_REACTORS);
  // to an unknown message: nothing, nowhere
  f.recv('@+draft/react=👍;+draft/reply=nope :bo!u@h TAGMSG #a');
  assert.ok(f.c.find('#a')!.lines.every((l) => l.msgid === 'm1' || l.reactions === undefined));
  // without echo-message our own reaction shows at once
  const g = fake('message-tags');
  g.recv('@msgid=x1 :ana!u@h PRIVMSG #a :hi');
  const gl = g.c.find('#a')!.lines.find((l) => l.msgid === 'x1')!;
  g.c.react(g.c.find('#a')!, gl, '❤️');
  assert.deepEqual(gl.reactions, [{ emoji: '❤️', nicks: ['me'] }]);
  // a message without msgid cannot be reacted to
  g.recv(':ana!u@h PRIVMSG #a :no id');
  assert.match(g.c.react(g.c.find('#a')!, g.c.find('#a')!.lines.at(-1)!, '👍') ?? '', /no id/);
});

test('/reply and /react pick a message: N back (only messages with an id) or a nick\'s latest', async () => {
  const { pickMessage, MAX_PICK } = await import('../../../src/clients/shared/client-tags.js');
  const f = fake();
  f.recv('@msgid=a1 :ana!u@h PRIVMSG #a :one', '@msgid=b1 :bo!u@h PRIVMSG #a :two', ':bo!u@h PRIVMSG #a :no id', '@msgid=x :bo!u@h JOIN #a');
  const a = f.c.find('#a')!;
  const fold = (s: string) => f.c.fold(s);
  assert.equal(pickMessage(a, '1', fold)?.msgid, 'b1');
  assert.equal(pickMessage(a, '2', fold)?.msgid, 'a1');
  assert.equal(pickMessage(a, '3', fold), undefined);
  assert.equal(pickMessage(a, 'ANA', fold)?.msgid, 'a1');
  assert.equal(pickMessage(a, 'zed', fold), undefined);
  assert.equal(pickMessage(a, '0', fold), undefined);
  assert.equal(pickMessage(a, String(MAX_PICK + 1), fold), undefined);
});

test('terminal rendering: the parent quoted above a reply, reactions in a row below, in line mode too', async () => {
  const { renderLine, plainLine } = await import('../../../src/clients/tui/format.js');
  const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
  const base = { id: 1, time: new Date(2026, 0, 1, 9, 5), kind: 'message' as const, nick: 'bo', self: false, mention: false, history: false };
  const reply = { ...base, text: 'sure', replyTo: 'm1', parent: { nick: 'ana', text: 'lunch?' }, reactions: [{ emoji: '👍', nicks: ['a', 'b'] }, { emoji: '🎉', nicks: ['c'] }] };
  assert.deepEqual(renderLine(reply, 60).map(strip), ['      ↪ <ana> lunch?', '09:05 <bo> sure', '           👍 2  🎉 1']);
  assert.equal(plainLine(reply), '<bo> [re ana: lunch?] sure');
  const { parent: _unused, ...unquoted } = reply;
  assert.equal(plainLine(unquoted), '<bo> [re an earlier message] sure');
  // a peer's escape codes in a quoted parent or a reaction never reach the terminal
  const evil = { ...base, text: 'x', replyTo: 'm', parent: { nick: 'e', text: 'a\x1b[2Jb' }, reactions: [{ emoji: '\x1b[31m!', nicks: ['z'] }] };
  const rows = renderLine(evil, 60);
  assert.ok(rows.every((r) => !r.includes('\x1b[2J')));
  assert.match(strip(rows[0]!), /↪ <e> a\[2Jb$/, 'the ESC is gone, the rest shown as text');
  assert.match(strip(rows.at(-1)!), /^\s+\[31m! 1$/);
});

test('redaction: REDACT from the server shows "message deleted" (text, reactions and quotes gone); we ask with REDACT', async () => {
  const { renderLine, plainLine } = await import('../../../src/clients/tui/format.js');
  const f = fake('server-time echo-message batch message-tags draft/message-redaction');
  f.recv('@msgid=m1 :me!u@h PRIVMSG #a :oops, secret', '@msgid=m2;+draft/reply=m1 :ana!u@h PRIVMSG #a :what secret?');
  f.recv('@+draft/react=😮;+draft/reply=m1 :ana!u@h TAGMSG #a');
  const a = f.c.find('#a')!;
  const mine = a.lines.find((l) => l.msgid === 'm1')!;
  assert.equal(f.c.redact(a, mine), null);
  assert.equal(f.sent.at(-1), 'REDACT #a m1');
  assert.equal(mine.deleted, undefined, 'not before the server says so');
  f.recv(':me!u@h REDACT #a m1');
  assert.equal(mine.deleted, 'me');
  assert.equal(mine.text, '');
  assert.equal(mine.reactions, undefined);
  assert.equal(a.lines.find((l) => l.msgid === 'm2')!.parent?.text, '(message deleted)');
  assert.equal(plainLine(mine), '<me> (message deleted)');
  assert.ok(renderLine(mine, 60).some((r) => r.includes('(message deleted)')));
  assert.match(f.c.redact(a, mine) ?? '', /cannot be deleted/);
  // private: from the other side, into their conversation
  f.recv('@msgid=p1 :zed!u@h PRIVMSG me :hello', ':zed!u@h REDACT me p1');
  assert.equal(f.c.find('zed')!.lines.find((l) => l.msgid === 'p1')!.deleted, 'zed');
  // without the capability: said why, nothing sent
  const g = fake();
  g.recv('@msgid=x :me!u@h PRIVMSG #a :hi');
  assert.match(g.c.redact(g.c.find('#a')!, g.c.find('#a')!.lines.at(-1)!) ?? '', /cannot delete/);
  assert.deepEqual(g.sent, []);
});

test('no typing notifications to a room we are not in, nor where the server refused (401/404): no error every 3 s', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const f = fake();
    f.recv(':me!u@h PART #a');
    f.c.typing('#a', 'hi');
    assert.deepEqual(f.sent, [], 'parted: nothing');
    f.recv(':me!u@h JOIN #m');
    f.c.typing('#m', 'hi');
    assert.deepEqual(f.sent, ['@+typing=active TAGMSG #m']);
    f.recv(':srv 404 me #m :Cannot send to channel');
    f.advance(TYPING_SEND_EVERY_MS);
    f.c.typing('#m', 'hi there');
    assert.equal(f.sent.length, 1, 'refused once: not again');
    f.recv(':me!u@h JOIN #m');
    f.advance(TYPING_SEND_EVERY_MS);
    f.c.typing('#m', 'hi there!');
    assert.equal(f.sent.at(-1), '@+typing=active TAGMSG #m', 'a new JOIN: typing again');
    // a private chat with someone gone: once, until they speak
    f.c.typing('ghost', 'x');
    f.recv(':srv 401 me ghost :No such nick/channel');
    const n = f.sent.length;
    f.advance(TYPING_SEND_EVERY_MS);
    f.c.typing('ghost', 'xy');
    assert.equal(f.sent.length, n);
    f.recv(':ghost!u@h PRIVMSG me :back');
    f.advance(TYPING_SEND_EVERY_MS);
    f.c.typing('ghost', 'xyz');
    assert.equal(f.sent.at(-1), '@+typing=active TAGMSG ghost');
  } finally {
    mock.timers.reset();
  }
});
