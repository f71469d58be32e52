import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IrcClient, type TransportHandlers } from '../../../src/clients/shared/irc-client.js';
import { Backoff } from '../../../src/clients/shared/backoff.js';
import { runInput } from '../../../src/clients/shared/commands.js';

/** A fake server end: records what the client sent, feeds it lines. */
function fake(opts: { reconnect?: { minMs: number; maxMs: number } | false; outbox?: { maxMessages: number; maxBytes: number } } = {}) {
  const conns: { sent: string[]; h: TransportHandlers; closed: boolean }[] = [];
  const c = new IrcClient({
    nick: 'me',
    serverLabel: 'test:1',
    reconnect: opts.reconnect ?? false,
    ...(opts.outbox ? { outbox: opts.outbox } : {}),
    transport: (h) => {
      const conn = { sent: [] as string[], h, closed: false };
      conns.push(conn);
      return {
        send: (l) => conn.sent.push(l),
        close: () => {
          if (conn.closed) return;
          conn.closed = true;
          h.onClose();
        },
      };
    },
  });
  const cur = () => conns[conns.length - 1]!;
  return {
    c,
    conns,
    open: () => cur().h.onOpen(),
    recv: (...lines: string[]) => lines.forEach((l) => cur().h.onLine(l)),
    sent: () => cur().sent,
    drop: () => {
      cur().closed = true;
      cur().h.onClose(new Error('reset'));
    },
  };
}

function register(f: ReturnType<typeof fake>, caps = 'server-time echo-message batch draft/chathistory message-tags'): void {
  f.c.connect();
  f.open();
  f.recv(`:srv CAP * LS :${caps} sasl`);
  f.recv(`:srv CAP me ACK :${caps}`);
  f.recv(':srv 001 me :Welcome', ':srv 005 me CHANTYPES=# PREFIX=(ov)@+ CASEMAPPING=rfc1459 CHATHISTORY=100 :are supported');
}

test('registration: CAP LS 302, requests only what it uses, CAP END after ACK', () => {
  const f = fake();
  f.c.connect();
  f.open();
  assert.deepEqual(f.sent(), ['CAP LS 302', 'NICK me', 'USER me 0 * :tincan chat']);
  f.recv(':srv CAP * LS * :server-time sasl', ':srv CAP * LS :echo-message batch foo');
  assert.equal(f.sent()[3], 'CAP REQ :server-time echo-message batch');
  assert.equal(f.c.state, 'registering');
  f.recv(':srv CAP me ACK :server-time echo-message batch');
  assert.equal(f.sent()[4], 'CAP END');
  f.recv(':srv 001 me :Welcome');
  assert.equal(f.c.state, 'connected');
  assert.ok(f.c.caps.has('echo-message'));
});

test('a server without CAP still registers; nick in use falls back', () => {
  const f = fake();
  f.c.connect();
  f.open();
  f.recv(':srv 421 * CAP :Unknown command', ':srv 433 * me :Nickname is already in use');
  assert.equal(f.sent().at(-1), 'NICK me_');
  f.recv(':srv 433 * me_ :Nickname is already in use');
  assert.equal(f.sent().at(-1), 'NICK me2');
  f.recv(':srv 001 me2 :Welcome');
  assert.equal(f.c.nick, 'me2');
});

test('rooms: join focuses, NAMES fills members, messages count unread and mentions elsewhere', () => {
  const f = fake();
  register(f);
  runInput(f.c, '/join #a', { switchTo: () => {}, exit: () => {} });
  assert.equal(f.sent().at(-1), 'JOIN #a');
  f.recv(':me!u@h JOIN #a', ':srv 353 me = #a :@me +bob carol', ':srv 366 me #a :End');
  const a = f.c.find('#A')!;
  assert.equal(f.c.active, a, 'the joined room becomes active');
  assert.deepEqual(a.nicks(), ['me', 'bob', 'carol']);
  f.recv(':bob!u@h PRIVMSG #a :hi all');
  assert.equal(a.unread, 0, 'no unread in the active window');
  f.c.setActive(f.c.server);
  f.recv(':bob!u@h PRIVMSG #a :hey ME, look', ':carol!u@h PRIVMSG #a :name-like: mention? no: meow');
  assert.equal(a.unread, 2);
  assert.equal(a.mentions, 1);
  assert.equal(a.lines.at(-2)?.mention, true);
  f.recv(':bob!u@h PRIVMSG me :private');
  const q = f.c.find('bob')!;
  assert.equal(q.kind, 'query');
  assert.equal(q.mentions, 1, 'a private message counts as a mention');
  f.recv(':bob!u@h NICK robert');
  assert.equal(q.name, 'robert');
  assert.ok(a.members.has('robert'));
  f.recv(':robert!u@h QUIT :bye');
  assert.ok(!a.members.has('robert'));
  assert.match(a.lines.at(-1)!.text, /robert quit \(bye\)/);
});

test('echo-message: own lines appear once, from the echo, with the server time', () => {
  const f = fake();
  register(f);
  f.recv(':me!u@h JOIN #a');
  f.c.say('#a', 'hello');
  assert.equal(f.sent().at(-1), 'PRIVMSG #a hello');
  const a = f.c.find('#a')!;
  assert.equal(a.lines.filter((l) => l.kind === 'message').length, 0);
  f.recv('@time=2024-01-02T03:04:05.000Z;msgid=x1 :me!u@h PRIVMSG #a :hello');
  const l = a.lines.at(-1)!;
  assert.equal(l.self, true);
  assert.equal(l.time.toISOString(), '2024-01-02T03:04:05.000Z');
});

test('chathistory batch: lines go in time order, not counted as unread, duplicates dropped', () => {
  const f = fake();
  register(f);
  f.recv(':me!u@h JOIN #a');
  f.c.setActive(f.c.server);
  const a = f.c.find('#a')!;
  f.recv('@time=2024-01-01T10:00:00.000Z;msgid=m3 :bob!u@h PRIVMSG #a :live');
  const unread = a.unread;
  f.recv(
    ':srv BATCH +b1 chathistory #a',
    '@batch=b1;time=2024-01-01T09:00:00.000Z;msgid=m1 :bob!u@h PRIVMSG #a :older',
    '@batch=b1;time=2024-01-01T10:00:00.000Z;msgid=m3 :bob!u@h PRIVMSG #a :live',
    ':srv BATCH -b1',
  );
  const msgs = a.lines.filter((l) => l.kind === 'message').map((l) => l.text);
  assert.deepEqual(msgs, ['older', 'live']);
  assert.equal(a.unread, unread);
  assert.equal(f.c.history('#a', 5), null);
  assert.equal(f.sent().at(-1), 'CHATHISTORY LATEST #a * 5');
});

test('history and search explain themselves when the server lacks them', () => {
  const f = fake();
  register(f, 'server-time');
  f.recv(':me!u@h JOIN #a');
  // register() announced CHATHISTORY in 005; a plain server does not
  const g = fake();
  g.c.connect();
  g.open();
  g.recv(':srv 001 me :Welcome');
  assert.match(g.c.history('#a', 5) ?? '', /does not offer history/);
  assert.match(g.c.search(null, 'x') ?? '', /does not offer search/);
});

test('reconnect with backoff rejoins the rooms it was in', async () => {
  const f = fake({ reconnect: { minMs: 10, maxMs: 40 } });
  register(f);
  f.recv(':me!u@h JOIN #a', ':me!u@h JOIN #b', ':me!u@h PART #b');
  f.drop();
  assert.equal(f.c.state, 'disconnected');
  assert.match(f.c.server.lines.at(-1)!.text, /Reconnecting in/);
  const start = Date.now();
  while (f.conns.length < 2 && Date.now() - start < 2000) await new Promise((r) => setTimeout(r, 5));
  assert.equal(f.conns.length, 2, 'a new connection was made');
  f.open();
  f.recv(':srv 001 me :Welcome back');
  assert.ok(f.sent().includes('JOIN #a'));
  assert.ok(!f.sent().includes('JOIN #b'), 'not the room it had left');
  f.c.quit();
});

test('say() to a target longer than a line still terminates, each part within the line limit', () => {
  const f = fake();
  register(f);
  const target = '#' + 'x'.repeat(480);
  f.c.say(target, 'hello there everyone');
  const sent = f.sent().filter((l) => l.startsWith('PRIVMSG'));
  assert.ok(sent.length >= 1);
  assert.equal(sent.map((l) => l.slice(l.indexOf(' :') + 2)).join(' '), 'hello there everyone');
});

test('say() splits a 2,000-character paste on word boundaries, no part starting with a space', () => {
  const f = fake();
  register(f);
  const paste = Array.from({ length: 400 }, (_, i) => `w${i}`).join(' ').slice(0, 2000).trimEnd();
  f.c.say('#a', paste);
  const bodies = f.sent().filter((l) => l.startsWith('PRIVMSG #a :')).map((l) => l.slice('PRIVMSG #a :'.length));
  assert.ok(bodies.length > 3);
  for (const b of bodies) {
    assert.ok(!b.startsWith(' ') && !b.endsWith(' '), JSON.stringify(b));
    assert.ok(Buffer.byteLength(f.sent().find((l) => l.endsWith(b))!) <= 510 - 100);
  }
  assert.equal(bodies.join(' '), paste, 'no word was cut');
});

test('mentions are Unicode-aware and folded by the server casemapping', () => {
  const f = fake();
  register(f);
  f.recv(':me!u@h JOIN #a');
  f.recv(':bob!u@h PRIVMSG #a :hey ME!', ':bob!u@h PRIVMSG #a :émé is not you', ':bob!u@h PRIVMSG #a :me_ neither');
  assert.equal(f.c.buffer('#a').mentions, 1);
});

test('backoff doubles up to the cap, with bounded jitter, and resets', () => {
  const b = new Backoff({ minMs: 100, maxMs: 1000, jitter: 0.2, random: () => 1 });
  assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next()], [100, 200, 400, 800, 1000]);
  b.reset();
  assert.equal(b.next(), 100);
  const j = new Backoff({ minMs: 100, maxMs: 1000, jitter: 0.2, random: () => 0 });
  assert.equal(j.next(), 80);
});

test('history loaded on join: the marker comes before the lines it introduces', () => {
  const f = fake();
  register(f);
  f.recv(':me!u@h JOIN #a');
  const a = f.c.find('#a')!;
  const events: string[] = [];
  f.c.on('line', (b, l) => b === a && events.push(l.text));
  f.recv(
    ':srv BATCH +j1 chathistory #a',
    '@batch=j1;time=2024-01-01T09:00:00.000Z;msgid=m1 :bob!u@h PRIVMSG #a :one',
    '@batch=j1;time=2024-01-01T09:01:00.000Z;msgid=m2 :bob!u@h PRIVMSG #a :two',
    ':srv BATCH -j1',
  );
  const texts = a.lines.map((l) => l.text);
  const mk = texts.indexOf('--- 2 earlier messages from history ---');
  assert.ok(mk >= 0 && mk < texts.indexOf('one') && texts.indexOf('one') < texts.indexOf('two'), texts.join(' | '));
  // printed in that order too (line mode prints 'line' events as they come)
  assert.deepEqual(events, ['--- 2 earlier messages from history ---', 'one', 'two']);
});

test('/history N shows the lines at the bottom, even those already on screen', () => {
  const f = fake();
  register(f);
  f.recv(':me!u@h JOIN #a');
  const a = f.c.find('#a')!;
  f.recv('@time=2024-01-01T09:00:00.000Z;msgid=m1 :bob!u@h PRIVMSG #a :one', '@time=2024-01-01T09:01:00.000Z;msgid=m2 :bob!u@h PRIVMSG #a :two');
  f.c.setActive(a);
  runInput(f.c, '/history 2', { switchTo: () => {}, exit: () => {} });
  assert.equal(f.sent().at(-1), 'CHATHISTORY LATEST #a * 2');
  const events: string[] = [];
  f.c.on('line', (b, l) => b === a && events.push(l.text));
  f.recv(
    ':srv BATCH +h1 chathistory #a',
    '@batch=h1;time=2024-01-01T09:00:00.000Z;msgid=m1 :bob!u@h PRIVMSG #a :one',
    '@batch=h1;time=2024-01-01T09:01:00.000Z;msgid=m2 :bob!u@h PRIVMSG #a :two',
    ':srv BATCH -h1',
  );
  assert.deepEqual(events, ['--- 2 earlier messages from history ---', 'one', 'two']);
  assert.deepEqual(a.lines.slice(-3).map((l) => l.text), ['--- 2 earlier messages from history ---', 'one', 'two']);
  assert.ok(a.lines.slice(-2).every((l) => l.history && l.nick === 'bob'));
  assert.equal(a.unread, 0);
  // an empty answer says so
  runInput(f.c, '/history 5', { switchTo: () => {}, exit: () => {} });
  f.recv(':srv BATCH +h2 chathistory #a', ':srv BATCH -h2');
  assert.equal(a.lines.at(-1)!.text, 'No earlier messages in history for #a');
});

test('a message typed while disconnected is kept, shown as pending, and sent after the rejoin', () => {
  const f = fake();
  const caps = 'server-time batch message-tags';
  register(f, caps);
  f.recv(':me!u@h JOIN #a');
  const a = f.c.find('#a')!;
  f.c.setActive(a);
  f.drop();
  const ui = { switchTo: () => {}, exit: () => {} };
  runInput(f.c, 'anyone there?', ui);
  runInput(f.c, '/me waves', ui);
  const pending = a.lines.filter((l) => l.pending);
  assert.deepEqual(pending.map((l) => [l.kind, l.text]), [['message', 'anyone there?'], ['action', 'waves']]);
  assert.match(a.lines.find((l) => l.kind === 'info' && /kept/.test(l.text))?.text ?? '', /will be sent when the connection is back/);
  assert.equal(f.c.pendingCount, 2);

  register(f, caps);
  const sent = f.sent();
  const join = sent.indexOf('JOIN #a');
  assert.ok(join >= 0 && join < sent.indexOf('PRIVMSG #a :anyone there?'), sent.join(' | '));
  assert.ok(sent.includes('PRIVMSG #a :\x01ACTION waves\x01'));
  assert.equal(f.c.pendingCount, 0);
  assert.equal(a.lines.filter((l) => l.pending).length, 0, 'no placeholder left');
  assert.deepEqual(a.lines.filter((l) => l.self).map((l) => l.text), ['anyone there?', 'waves']);
});

test('the outbox is bounded in messages and bytes; the user is told when one is not kept', () => {
  const f = fake({ outbox: { maxMessages: 2, maxBytes: 40 } });
  register(f);
  f.recv(':me!u@h JOIN #a');
  const a = f.c.find('#a')!;
  f.c.setActive(a);
  f.drop();
  const ui = { switchTo: () => {}, exit: () => {} };
  runInput(f.c, 'x'.repeat(40), ui);
  assert.equal(f.c.pendingCount, 0, 'too many bytes for the outbox');
  assert.match(a.lines.at(-1)!.text, /this one was not sent/);
  runInput(f.c, 'one', ui);
  runInput(f.c, 'two', ui);
  runInput(f.c, 'three', ui);
  assert.equal(f.c.pendingCount, 2);
  assert.equal(a.lines.at(-1)!.kind, 'error');
  assert.match(a.lines.at(-1)!.text, /Not connected, and 2 messages already wait .*this one was not sent/);
  assert.deepEqual(a.lines.filter((l) => l.pending).map((l) => l.text), ['one', 'two']);
});
