// NickServ, PASS account:password, reserved nicks, nick protection (harness clock).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from '../../helpers/harness.js';
import { waitLine } from './util.js';

const PW = 'correct horse';
const NS = /^:NickServ!services@test\.server NOTICE /;

async function withAccount(h: ReturnType<typeof harness>, nick: string) {
  const c = h.client(nick);
  c.recv(`PRIVMSG NickServ :REGISTER ${PW}`);
  await waitLine(c, /is now registered to you/);
  return c;
}

test('NickServ REGISTER, then IDENTIFY from a new connection; replies are NOTICEs from NickServ; nothing relayed', async () => {
  const h = harness();
  try {
    const a = await withAccount(h, 'alice');
    assert.match(a.lines.join('\n'), / 900 alice /);
    assert.ok(a.lines.filter((l) => /is now registered/.test(l)).every((l) => NS.test(l)));
    a.recv('QUIT');
    const b = h.client('alice');
    const from = b.lines.length;
    b.recv(`PRIVMSG NickServ :IDENTIFY wrong one`);
    await waitLine(b, /Invalid account name or password/, from);
    h.clock.now += 1000; // the brake after a wrong password
    b.recv(`NS IDENTIFY ${PW}`);
    await waitLine(b, /You are now logged in as alice/, from);
    assert.equal([...h.server.sessions].find((x) => x.nick === 'alice')!.account, 'alice');
    // IDENTIFY <account> <password> from another nick
    const c = h.client('laptop');
    c.recv(`NICKSERV IDENTIFY alice ${PW}`);
    await waitLine(c, /You are now logged in as alice/);
    c.recv('PRIVMSG NickServ :HELP');
    assert.match(c.take().join('\n'), /IDENTIFY \[account\] <password>/);
  } finally {
    await h.close();
  }
});

test('NickServ is reserved (433), shows in WHOIS; WHOIS shows the account (330)', async () => {
  const h = harness();
  try {
    const a = await withAccount(h, 'alice');
    a.take();
    a.recv('NICK NickServ');
    assert.match(a.take().join('\n'), / 433 alice NickServ :Nickname is already in use/);
    a.recv('NICK chanserv');
    assert.match(a.take().join('\n'), / 433 alice chanserv /);
    const pre = h.connect();
    pre.recv('NICK NickServ');
    assert.match(pre.take().join('\n'), / 433 \* NickServ /);
    a.recv('WHOIS NickServ');
    const w = a.take().join('\n');
    assert.match(w, / 311 alice NickServ services test\.server \* :Nickname service/);
    assert.match(w, / 318 alice NickServ /);
    a.recv('WHOIS alice');
    assert.match(a.take().join('\n'), / 330 alice alice alice :is logged in as/);
  } finally {
    await h.close();
  }
});

test('GHOST disconnects a session on your nick (logged in, or with the password); not someone else\'s', async () => {
  const h = harness();
  try {
    (await withAccount(h, 'alice')).recv('QUIT');
    const squatter = h.client('alice');
    const me = h.client('alice_');
    me.recv('PRIVMSG NickServ :GHOST alice');
    assert.match(me.take().join('\n'), /Log in first/);
    me.recv(`PRIVMSG NickServ :GHOST alice ${PW}`);
    await waitLine(me, /alice has been disconnected/);
    assert.ok(squatter.closed);
    assert.match(squatter.closeLine ?? '', /GHOST command used by alice_/);
    const other = h.client('bob');
    me.recv(`PRIVMSG NickServ :IDENTIFY alice ${PW}`);
    await waitLine(me, /logged in as alice/);
    me.recv('PRIVMSG NickServ :GHOST bob');
    assert.match(me.take().join('\n'), /bob is not your nick/);
    assert.equal(other.closed, false);
  } finally {
    await h.close();
  }
});

test('SET PASSWORD changes it; DROP deletes the account and logs out every session on it', async () => {
  const h = harness();
  try {
    const a = await withAccount(h, 'alice');
    a.recv('PRIVMSG NickServ :SET PASSWORD short');
    assert.match(a.take().join('\n'), /Password too short/);
    a.recv('PRIVMSG NickServ :SET PASSWORD a new long password');
    await waitLine(a, /Password changed/);
    const b = h.client('phone');
    b.recv(`PASS x`); // after registration: 462, nothing else
    b.recv('PRIVMSG NickServ :IDENTIFY alice a new long password');
    await waitLine(b, /logged in as alice/);
    a.recv(`PRIVMSG NickServ :DROP ${PW}`);
    await waitLine(a, /Invalid account name or password/);
    h.clock.now += 1000;
    const from = b.lines.length;
    a.recv('PRIVMSG NickServ :DROP a new long password');
    await waitLine(a, /The account alice has been deleted/);
    // the second session took the account's nick when it logged in (one account, many sessions)
    await waitLine(b, / 901 alice /, from);
    assert.equal(await h.server.accounts.store.getAccount('alice'), null);
    assert.equal(h.server.accounts.get('alice'), undefined);
    assert.ok([...h.server.sessions].every((x) => x.account === null));
  } finally {
    await h.close();
  }
});

test('PASS account:password logs in before registration completes; a wrong one gets a NOTICE and carries on', async () => {
  const h = harness();
  try {
    (await withAccount(h, 'alice')).recv('QUIT');
    const c = h.connect();
    c.recv(`PASS :alice:${PW}`);
    c.recv('NICK alice');
    c.recv('USER alice 0 * :A');
    await waitLine(c, / 001 alice /);
    const i900 = c.lines.findIndex((l) => / 900 /.test(l));
    const i001 = c.lines.findIndex((l) => / 001 /.test(l));
    assert.ok(i900 >= 0 && i900 < i001, 'logged in before the welcome');
    const w = h.connect('10.9.9.9');
    w.recv('PASS :alice:nope nope');
    w.recv('NICK eve');
    w.recv('USER eve 0 * :E');
    await waitLine(w, / 001 eve /);
    assert.match(w.lines.join('\n'), /NOTICE \S+ :\*\*\* Login failed: Invalid account name or password/);
    assert.equal([...h.server.sessions].find((x) => x.nick === 'eve')!.account, null);
  } finally {
    await h.close();
  }
});

test('with a server password, PASS is the server password only', async () => {
  const h = harness({ password: 'letmein' });
  try {
    const c = h.connect();
    c.recv('PASS alice:whatever');
    c.recv('NICK alice');
    c.recv('USER alice 0 * :A');
    assert.match(c.take().join('\n'), / 464 /);
  } finally {
    await h.close();
  }
});

test('nick protection: a squatter is told how to log in and renamed to a guest after the grace period; logging in in time stops it', async () => {
  const h = harness({ accounts: { nickGraceSeconds: 30 } });
  try {
    (await withAccount(h, 'alice')).recv('QUIT');
    const watcher = h.client('bob');
    watcher.recv('JOIN #room');
    const sq = h.connect();
    sq.recv('NICK alice');
    sq.recv('USER alice 0 * :A');
    sq.recv('JOIN #room');
    const notice = sq.lines.filter((l) => NS.test(l)).join('\n');
    assert.match(notice, /The nick alice is registered\. If it is yours, log in within 30 seconds: \/msg NickServ IDENTIFY <password>/);
    assert.match(notice, /SASL/);
    h.clock.now += 29_000;
    h.server.housekeeping();
    assert.equal(sq.lines.some((l) => / NICK /.test(l)), false, 'not yet');
    h.clock.now += 2_000;
    h.server.housekeeping();
    const nickLine = await waitLine(watcher, /^:alice!\S+ NICK :?Guest\d+$/);
    const guest = nickLine.split(' ').pop()!.replace(/^:/, '');
    assert.equal([...h.server.sessions].find((x) => x.nick === guest) !== undefined, true);
    assert.match(sq.lines.join('\n'), /You did not log in to alice in time/);

    // the next squatter logs in within the grace period: kept
    sq.recv('QUIT');
    const owner = h.client('alice');
    owner.recv(`PRIVMSG NickServ :IDENTIFY ${PW}`);
    await waitLine(owner, /logged in as alice/);
    h.clock.now += 60_000;
    h.server.housekeeping();
    assert.equal(owner.lines.some((l) => / NICK /.test(l)), false);
    // changing to a registered nick later starts the wait too
    owner.recv('QUIT');
    const later = h.client('carol');
    later.recv('NICK alice');
    assert.match(later.take().join('\n'), /The nick alice is registered/);
  } finally {
    await h.close();
  }
});

test('a dropped account\'s rooms forget it: whoever registers the name next is not their founder', async () => {
  const h = harness();
  try {
    const a = await withAccount(h, 'alice');
    const b = await withAccount(h, 'bob');
    a.recv('JOIN #mine');
    b.recv('JOIN #mine');
    a.recv('MODE #mine +o bob');
    const ch = h.server.findChannel('#mine')!;
    assert.deepEqual([ch.founder, [...ch.opAccounts]], ['alice', ['bob']]);
    b.recv(`PRIVMSG NickServ :DROP ${PW}`);
    await waitLine(b, /has been deleted/);
    assert.deepEqual([...ch.opAccounts], []);
    a.recv(`PRIVMSG NickServ :DROP ${PW}`);
    await waitLine(a, /has been deleted/);
    assert.equal(ch.founder, null);
  } finally {
    await h.close();
  }
});

test('echo-message: a line to NickServ comes back to the sender (and to nobody else)', async () => {
  const h = harness();
  try {
    const c = h.client('echoer', ['echo-message']);
    const other = h.client('other');
    c.recv('PRIVMSG NickServ :HELP');
    const got = c.take();
    assert.equal(got[0], ':echoer!~echoer@127.0.0.1 PRIVMSG NickServ HELP');
    assert.deepEqual(other.take(), []);
  } finally {
    await h.close();
  }
});
