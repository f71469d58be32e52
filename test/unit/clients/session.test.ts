/**
 * The shared client model (src/clients/shared/irc-client.ts) in what the browser used
 * to do on its own: the server password on 464 (no reconnect loop), the nick the server
 * confirmed, remembered rooms, history paging, catch-up after a reconnect, msgid
 * de-duplication, away state, the member list while disconnected, numerics as text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IrcClient, type ClientOptions, type TransportHandlers } from '../../../src/clients/shared/irc-client.js';

type Opts = Partial<Omit<ClientOptions, 'transport' | 'serverLabel'>>;

function fake(opts: Opts = {}) {
  const conns: { sent: string[]; h: TransportHandlers; closed: boolean }[] = [];
  const nicks: string[] = [];
  const c = new IrcClient({
    nick: 'alice',
    serverLabel: 'test:1',
    reconnect: { minMs: 5, maxMs: 10 },
    ...opts,
    transport: (h) => {
      const conn = { sent: [] as string[], h, closed: false };
      conns.push(conn);
      return {
        send: (l) => conn.sent.push(l),
        close: () => {
          if (conn.closed) return;
          conn.closed = true;
          queueMicrotask(() => h.onClose());
        },
      };
    },
  });
  c.on('nick', (n) => nicks.push(n));
  const cur = () => conns[conns.length - 1]!;
  return {
    c,
    conns,
    nicks,
    cur,
    open: () => cur().h.onOpen(),
    recv: (...ls: string[]) => ls.forEach((l) => cur().h.onLine(l)),
    drop: () => {
      cur().closed = true;
      cur().h.onClose(new Error('reset'));
    },
  };
}

const HIST_CAPS = 'server-time batch draft/chathistory message-tags echo-message';

function register(f: ReturnType<typeof fake>, caps = HIST_CAPS, nick = 'alice'): void {
  if (f.c.state === 'disconnected' || f.c.state === 'closed') f.c.connect();
  f.open();
  f.recv(`:srv CAP * LS :${caps}`, `:srv CAP ${nick} ACK :${caps}`);
  f.recv(`:srv 001 ${nick} :Welcome`, `:srv 005 ${nick} CHANTYPES=# PREFIX=(ov)@+ CHATHISTORY=50 :are supported`, `:srv 422 ${nick} :No MOTD`);
}

async function until(cond: () => boolean, what: string, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

test('464 asks for the password and stops reconnecting; the answer is sent as PASS on the next connect', async () => {
  const f = fake();
  f.c.connect();
  f.open();
  assert.ok(!f.cur().sent.some((l) => l.startsWith('PASS')), 'no password yet');
  f.recv(':srv 464 * :Password incorrect', 'ERROR :Closing link: alice (Bad password)');
  f.drop();
  assert.equal(f.c.state, 'disconnected');
  assert.equal(f.c.passwordError, 'Password incorrect');
  assert.equal(f.c.retryAt, null, 'no reconnect planned');
  // well past the backoff (5-10 ms): still one connection
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(f.conns.length, 1);
  f.c.reconnectNow();
  assert.equal(f.conns.length, 1, 'Retry now does not loop either');

  f.c.submitPassword('s3cret');
  assert.equal(f.conns.length, 2);
  f.open();
  const sent = f.cur().sent;
  assert.ok(sent.indexOf('PASS s3cret') >= 0 && sent.indexOf('PASS s3cret') < sent.findIndex((l) => l.startsWith('NICK')), sent.join(' | '));
  f.recv(':srv 001 alice :Welcome');
  assert.equal(f.c.state, 'connected');
  assert.equal(f.c.passwordError, null);
  f.c.quit();
});

test('a password given up front is sent on every connect; a dropped connection still reconnects', async () => {
  const f = fake({ password: 'pw' });
  f.c.connect();
  f.open();
  assert.ok(f.cur().sent.includes('PASS pw'));
  f.recv(':srv 001 alice :Welcome');
  f.drop();
  assert.equal(f.c.state, 'disconnected');
  assert.ok(f.c.retryAt !== null, 'a reconnect is planned');
  await until(() => f.conns.length === 2, 'a second connection');
  f.open();
  assert.ok(f.cur().sent.includes('PASS pw'));
  f.c.quit();
});

test('the nick event fires for a nick change the server confirmed, not for a fallback at registration', () => {
  const f = fake({ reconnect: false });
  f.c.connect();
  f.open();
  f.recv(':srv 433 * alice :Nickname is already in use', ':srv 001 alice_ :Welcome');
  assert.deepEqual(f.nicks, []);
  f.recv(':alice_!u@h NICK :carol');
  assert.deepEqual(f.nicks, ['carol']);
  f.recv(':bob!u@h NICK :dave');
  assert.deepEqual(f.nicks, ['carol']);
  assert.equal(f.c.nick, 'carol');
});

test('remembered rooms are joined after registering, and the first is shown once joined', () => {
  const f = fake({ channels: ['#lobby', '#side'], reconnect: false });
  register(f);
  assert.ok(f.cur().sent.includes('JOIN #lobby') && f.cur().sent.includes('JOIN #side'), f.cur().sent.join(' | '));
  assert.equal(f.c.active, f.c.server);
  f.recv(':alice!u@h JOIN #side', ':alice!u@h JOIN #lobby');
  assert.equal(f.c.active.name, '#lobby');
});

test('scrollback: older pages go in front as a block, by msgid; a short page ends the history', () => {
  const f = fake({ historyOnJoin: 50, reconnect: false });
  register(f);
  f.recv(':alice!u@h JOIN #a');
  const a = f.c.find('#a')!;
  assert.equal(f.cur().sent.at(-1), 'CHATHISTORY LATEST #a * 50');
  assert.equal(a.historyLoading, 1);
  assert.ok(f.c.canLoadOlder(a));
  const page = (ref: string, from: number, to: number): string[] => [
    `:srv BATCH +${ref} chathistory #a`,
    // many lines in one millisecond: order must come from the page, not the clock
    ...Array.from({ length: to - from + 1 }, (_, i) => `@batch=${ref};time=2024-01-01T09:00:00.000Z;msgid=m${from + i} :bob!u@h PRIVMSG #a :line ${from + i}`),
    `:srv BATCH -${ref}`,
  ];
  f.recv(...page('p1', 51, 100));
  assert.equal(a.historyLoading, 0);
  assert.equal(a.historyComplete, false);
  f.c.loadOlder(a);
  assert.equal(f.cur().sent.at(-1), 'CHATHISTORY BEFORE #a msgid=m51 50');
  f.c.loadOlder(a);
  assert.equal(f.cur().sent.filter((l) => l.startsWith('CHATHISTORY BEFORE')).length, 1, 'one page at a time');
  // the server repeats one line it already sent: it is not shown twice
  f.recv(...page('p2', 2, 51));
  f.c.loadOlder(a);
  f.recv(...page('p3', 1, 1));
  assert.equal(a.historyComplete, true);
  assert.equal(f.c.canLoadOlder(a), false);
  const texts = a.lines.filter((l) => l.kind === 'message').map((l) => l.text);
  assert.deepEqual(texts, Array.from({ length: 100 }, (_, i) => `line ${i + 1}`));
});

test('after a reconnect a room catches up from its last line; the overlap is dropped by msgid', async () => {
  const f = fake({ historyOnJoin: 50 });
  register(f);
  f.recv(':alice!u@h JOIN #a');
  const a = f.c.find('#a')!;
  f.recv(':srv BATCH +j chathistory #a', ':srv BATCH -j');
  f.recv('@time=2024-01-01T10:00:00.000Z;msgid=x1 :bob!u@h PRIVMSG #a :before');
  f.drop();
  assert.equal(a.members.size, 0, 'nobody is shown in the room while we are not there');
  await until(() => f.conns.length === 2, 'reconnect');
  register(f);
  f.recv(':alice!u@h JOIN #a');
  assert.equal(f.cur().sent.at(-1), 'CHATHISTORY AFTER #a timestamp=2024-01-01T10:00:00.000Z 100');
  f.recv(
    ':srv BATCH +c chathistory #a',
    '@batch=c;time=2024-01-01T10:00:00.000Z;msgid=x1 :bob!u@h PRIVMSG #a :before',
    '@batch=c;time=2024-01-01T10:05:00.000Z;msgid=x2 :bob!u@h PRIVMSG #a :while you were away',
    ':srv BATCH -c',
  );
  assert.deepEqual(a.lines.filter((l) => l.kind === 'message').map((l) => l.text), ['before', 'while you were away']);
  f.c.quit();
});

test('a private chat offers no "load older" until the server shows it keeps some', () => {
  const f = fake({ reconnect: false });
  register(f);
  f.recv(':bob!u@h PRIVMSG alice :hi');
  const q = f.c.find('bob')!;
  assert.equal(f.c.canLoadOlder(q), false, 'tincan keeps no private messages');
  assert.equal(f.c.canLoadOlder(f.c.buffer('#a')), true);
  f.recv(':srv BATCH +q chathistory bob', '@batch=q;time=2024-01-01T09:00:00.000Z;msgid=q1 :bob!u@h PRIVMSG alice :kept', ':srv BATCH -q');
  assert.equal(f.c.canLoadOlder(q), true, 'this server does keep them');
});

test('replayed joins and quits are lines, not changes to who is here', () => {
  const f = fake({ reconnect: false, extraCaps: ['draft/event-playback'] });
  register(f, HIST_CAPS + ' draft/event-playback');
  assert.ok(f.c.caps.has('draft/event-playback'));
  f.recv(':alice!u@h JOIN #a', ':srv 353 alice = #a :alice bob', ':srv 366 alice #a :End');
  const a = f.c.find('#a')!;
  f.recv(
    ':srv BATCH +e chathistory #a',
    '@batch=e;time=2024-01-01T09:00:00.000Z :carol!u@h JOIN #a',
    '@batch=e;time=2024-01-01T09:01:00.000Z :bob!u@h QUIT :gone',
    ':srv BATCH -e',
  );
  assert.deepEqual([...a.members.values()].map((m) => m.nick).sort(), ['alice', 'bob']);
  const events = a.lines.filter((l) => l.history && (l.kind === 'join' || l.kind === 'quit'));
  assert.deepEqual(events.map((l) => l.text), ['carol joined #a', 'bob quit (gone)']);
});

test('away state comes from away-notify and from a WHO asked for on join, whose replies are not shown', () => {
  const f = fake({ reconnect: false, whoOnJoin: true });
  register(f, 'away-notify');
  f.recv(':alice!u@h JOIN #a');
  assert.equal(f.cur().sent.at(-1), 'WHO #a');
  const a = f.c.find('#a')!;
  f.recv(':srv 353 alice = #a :alice bob carol', ':srv 366 alice #a :End');
  const before = a.lines.length;
  f.recv(':srv 352 alice #a u h srv bob G :0 Bob', ':srv 352 alice #a u h srv carol H :0 Carol', ':srv 315 alice #a :End of WHO');
  assert.equal(a.lines.length, before, 'no WHO lines shown');
  assert.equal(f.c.active.lines.some((l) => /Bob/.test(l.text)), false);
  assert.equal(a.members.get('bob')!.away, true);
  assert.equal(a.members.get('carol')!.away, false);
  f.recv(':carol!u@h AWAY :lunch', ':bob!u@h AWAY');
  assert.equal(a.members.get('carol')!.away, true);
  assert.equal(a.members.get('bob')!.away, false);
});

test('numerics read as text in the server window, not as raw parameters', () => {
  const f = fake({ reconnect: false });
  register(f);
  f.recv(':srv 265 alice 6 7 :Current local users 6, max 7');
  const l = f.c.server.lines.at(-1)!;
  assert.equal(l.text, 'Current local users 6, max 7');
});

test('search results are kept for a view that lists them apart (newest first, where they were said)', () => {
  const f = fake({ reconnect: false, searchLines: false });
  register(f);
  f.recv(':srv 004 alice srv tincan-0.1.0 i o');
  assert.equal(f.c.search('#a', 'needle'), null);
  const current = () => f.c.searchResults;
  assert.deepEqual(current(), { query: 'needle', pending: true, results: [] });
  f.recv(
    ':srv BATCH +s tincan/search',
    '@batch=s;time=2024-01-01T09:00:00.000Z;msgid=s1 :bob!u@h PRIVMSG #a :old needle',
    '@batch=s;time=2024-01-02T09:00:00.000Z;msgid=s2 :bob!u@h PRIVMSG #a :\x01ACTION new needle\x01',
    ':srv BATCH -s',
  );
  const r = current()!;
  assert.equal(r.pending, false);
  assert.deepEqual(r.results.map((l) => [l.text, l.kind, l.where]), [['new needle', 'action', '#a'], ['old needle', 'message', '#a']]);
  assert.equal(f.c.active.lines.some((l) => /needle/.test(l.text)), false, 'not also as lines');
});

test('reconnect() drops the connection and connects again at once; the old transport is ignored', async () => {
  const f = fake({ reconnect: false });
  register(f);
  const old = f.cur();
  f.c.reconnect();
  assert.equal(f.conns.length, 2);
  f.open();
  // the old socket's late close must not tear down the new one
  old.h.onClose(new Error('late'));
  assert.equal(f.c.state, 'registering');
});

test('the terminal status line says when the password was refused (no reconnect loop there either)', async () => {
  const { IrcTuiModel } = await import('../../../src/clients/tui/irc-model.js');
  const f = fake();
  const tui = new IrcTuiModel(f.c, () => new Date(2024, 0, 1, 12, 0));
  f.c.connect();
  f.open();
  f.recv(':srv 464 * :Password incorrect');
  f.drop();
  const status = tui.status().map((s) => s.text).join('');
  assert.match(status, /password refused/);
  assert.match(f.c.server.lines.at(-1)!.text, /It wants a password before it lets you in/);
});

test('our own join, replayed in the history loaded on join, is shown once (by msgid)', () => {
  const f = fake({ reconnect: false, historyOnJoin: 50, extraCaps: ['draft/event-playback'] });
  register(f, HIST_CAPS + ' draft/event-playback');
  f.recv('@time=2024-01-01T09:05:00.000Z;msgid=j0 :alice!u@h JOIN #a');
  const a = f.c.find('#a')!;
  f.recv(
    ':srv BATCH +h chathistory #a',
    '@batch=h;time=2024-01-01T09:00:00.000Z;msgid=m1 :bob!u@h PRIVMSG #a :earlier',
    '@batch=h;time=2024-01-01T09:05:00.000Z;msgid=j0 :alice!u@h JOIN #a',
    ':srv BATCH -h',
  );
  assert.deepEqual(a.lines.filter((l) => l.kind === 'join').map((l) => l.text), ['You joined #a']);
  assert.deepEqual(a.lines.filter((l) => l.kind === 'message').map((l) => l.text), ['earlier']);
});
