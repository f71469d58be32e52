// SASL PLAIN and draft/account-registration against the core (harness, fake connections).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, hasNumeric, makeConfig } from '../../helpers/harness.js';
import { waitLine, plainAuth, saslConnection } from './util.js';

const PW = 'correct horse';

async function registered(h: ReturnType<typeof harness>, nick: string, pw = PW) {
  const c = h.client(nick);
  c.recv(`REGISTER * * :${pw}`);
  await waitLine(c, / REGISTER SUCCESS /);
  return c;
}

function saslStart(h: ReturnType<typeof harness>, nick: string) {
  const c = saslConnection(h, nick);
  c.recv('AUTHENTICATE PLAIN');
  return c;
}

test('CAP LS 302 offers sasl=PLAIN,SCRAM-SHA-256 and draft/account-registration=before-connect', async () => {
  const h = harness();
  try {
    const c = h.connect();
    c.recv('CAP LS 302');
    const ls = c.take().join('\n');
    assert.match(ls, /(^| |:)sasl=PLAIN,SCRAM-SHA-256( |$)/m);
    assert.match(ls, /draft\/account-registration=before-connect/);
    assert.match(ls, /account-notify/);
  } finally {
    await h.close();
  }
});

test('accounts.enabled false: no sasl cap, REQ is NAKed', async () => {
  const h = harness({ accounts: { enabled: false } });
  try {
    const c = h.connect();
    c.recv('CAP LS 302');
    assert.doesNotMatch(c.take().join('\n'), /sasl/);
    c.recv('CAP REQ :sasl');
    assert.match(c.take().join('\n'), /NAK :sasl/);
  } finally {
    await h.close();
  }
});

test('REGISTER logs the session in: REGISTER SUCCESS and 900; no plaintext stored', async () => {
  const h = harness();
  try {
    const c = h.client('alice');
    c.recv(`REGISTER * * :${PW}`);
    await waitLine(c, / REGISTER SUCCESS alice /);
    assert.match(c.lines.join('\n'), / 900 alice alice!~alice@127\.0\.0\.1 alice :You are now logged in as alice/);
    const s = [...h.server.sessions][0]!;
    assert.equal(s.account, 'alice');
    const stored = await h.server.accounts.store.getAccount('alice');
    assert.ok(stored !== null);
    assert.ok(!JSON.stringify(stored).includes(PW), 'the password is not in the record');
    assert.equal(stored.credentials.scramSha256.iterations, 4096);
  } finally {
    await h.close();
  }
});

test('REGISTER failures: taken, weak, too long, wrong name, no nick, already logged in', async () => {
  const h = harness();
  try {
    (await registered(h, 'alice')).recv('QUIT');
    const b = h.client('Alice2');
    b.recv('REGISTER * * :short');
    assert.match(b.take().join('\n'), /FAIL REGISTER WEAK_PASSWORD Alice2 :Password too short: use at least 8 characters/);
    b.recv(`REGISTER * * :${'x'.repeat(301)}`);
    assert.match(b.take().join('\n'), /FAIL REGISTER UNACCEPTABLE_PASSWORD Alice2 :Password too long/);
    const g = h.client('guest1234');
    g.recv(`REGISTER * * :${PW}`);
    assert.match(g.take().join('\n'), /FAIL REGISTER BAD_ACCOUNT_NAME guest1234 :Guest and service names cannot be registered/);
    b.recv(`REGISTER bob * :${PW}`);
    assert.match(b.take().join('\n'), /FAIL REGISTER ACCOUNT_NAME_MUST_BE_NICK bob /);
    // someone holding the nick "ALICE" while alice is offline cannot register it again
    const c = h.connect();
    c.recv('REGISTER * * :whatever123');
    assert.match(c.take().join('\n'), /FAIL REGISTER NEED_NICK \* /);
    c.recv('NICK ALICE');
    c.recv(`REGISTER * * :${PW}`);
    assert.match(c.take().join('\n'), /FAIL REGISTER ACCOUNT_EXISTS ALICE /);
    const a = h.client('carol');
    a.recv(`REGISTER * * :${PW}`);
    await waitLine(a, / REGISTER SUCCESS /);
    a.recv(`REGISTER * * :${PW}`);
    assert.match(a.take().join('\n'), /FAIL REGISTER ALREADY_AUTHENTICATED carol /);
  } finally {
    await h.close();
  }
});

test('two REGISTERs for one name racing: exactly one wins', async () => {
  const h = harness();
  try {
    const a = h.client('dave');
    const b = h.client('other');
    a.recv(`REGISTER * * :${PW}`);
    // while dave's hash runs, dave moves away and someone else takes the nick and registers it
    a.recv('NICK dave_');
    b.recv('NICK Dave');
    b.recv(`REGISTER * * :${PW}`);
    await waitLine(a, / REGISTER SUCCESS dave /);
    assert.match(b.lines.join('\n'), /FAIL REGISTER ACCOUNT_EXISTS Dave /);
  } finally {
    await h.close();
  }
});

test('SASL PLAIN: right password 900+903, wrong 904, unknown account 904', async () => {
  const h = harness();
  try {
    (await registered(h, 'alice')).recv('QUIT');
    const c = saslStart(h, 'alice');
    assert.ok(c.take().includes('AUTHENTICATE +'));
    c.recv('AUTHENTICATE ' + plainAuth('alice', PW));
    await waitLine(c, / 903 alice :SASL authentication successful/);
    assert.match(c.lines.join('\n'), / 900 alice alice!~alice@127\.0\.0\.1 alice :You are now logged in as alice/);
    c.recv('CAP END');
    assert.ok(hasNumeric(c.take(), '001'));

    const w = saslStart(h, 'mallory');
    w.recv('AUTHENTICATE ' + plainAuth('alice', 'wrong password'));
    await waitLine(w, / 904 mallory :SASL authentication failed/);
    assert.ok(!w.lines.some((l) => / 90[03] /.test(l)));

    const u = saslStart(h, 'nobody');
    u.recv('AUTHENTICATE ' + plainAuth('nobody', PW));
    await waitLine(u, / 904 nobody :SASL authentication failed/);
  } finally {
    await h.close();
  }
});

test('SASL framing: 400-byte chunks and "+", 905 for a long line, 906 on abort and on CAP END, 907 when logged in, 908 for an unknown mechanism', async () => {
  const h = harness();
  try {
    (await registered(h, 'alice', 'p'.repeat(293))).recv('QUIT');
    // a 300-byte payload is exactly 400 base64 characters: one full chunk, then "+"
    const payload = plainAuth('alice', 'p'.repeat(293));
    assert.equal(payload.length, 400);
    const c = saslStart(h, 'alice');
    c.recv('AUTHENTICATE ' + payload);
    c.recv('AUTHENTICATE +');
    await waitLine(c, / 903 /);
    c.recv('AUTHENTICATE PLAIN');
    assert.match(c.take().join('\n'), / 907 alice :You have already authenticated using SASL/);

    const l = saslStart(h, 'long');
    l.recv('AUTHENTICATE ' + 'A'.repeat(401));
    assert.match(l.take().join('\n'), / 905 long :SASL message too long/);

    const a = saslStart(h, 'aborter');
    a.recv('AUTHENTICATE *');
    assert.match(a.take().join('\n'), / 906 aborter :SASL authentication aborted/);
    a.recv('AUTHENTICATE PLAIN');
    a.take();
    a.recv('CAP END');
    const got = a.take().join('\n');
    assert.match(got, / 906 aborter /);
    assert.match(got, / 001 aborter /);

    const m = saslStart(h, 'mech');
    m.take();
    m.recv('AUTHENTICATE *');
    m.recv('AUTHENTICATE DIGEST-MD5');
    const mech = m.take().join('\n');
    assert.match(mech, / 908 mech PLAIN,SCRAM-SHA-256 :are available SASL mechanisms/);
    assert.match(mech, / 904 mech /);

    const bad = saslStart(h, 'badb64');
    bad.recv('AUTHENTICATE !!!!');
    assert.match(bad.take().join('\n'), / 904 badb64 /);
  } finally {
    await h.close();
  }
});

test('account-notify and extended-join carry the account', async () => {
  const h = harness();
  try {
    const bob = h.client('bob', ['account-notify', 'extended-join']);
    bob.recv('JOIN #room');
    const alice = h.client('alice');
    alice.recv('JOIN #room');
    assert.match(bob.take().join('\n'), /:alice!~alice@127\.0\.0\.1 JOIN #room \* :alice Realname/);
    alice.recv(`REGISTER * * :${PW}`);
    await waitLine(bob, /:alice!~alice@127\.0\.0\.1 ACCOUNT alice$/);
    alice.recv('PART #room');
    alice.recv('JOIN #room');
    await waitLine(bob, /:alice!~alice@127\.0\.0\.1 JOIN #room alice :alice Realname/);
  } finally {
    await h.close();
  }
});

test('a reload turning accounts off and on: cap-notify clients get CAP DEL and CAP NEW with the mechanisms', async () => {
  let next = { accounts: { enabled: false } };
  const h = harness({}, () => makeConfig(next));
  try {
    const c = h.client('watcher', ['cap-notify', 'sasl']);
    assert.equal(h.server.rehash(), null);
    const del = c.take().join('\n');
    assert.match(del, /CAP watcher DEL :account-notify draft\/account-registration sasl/);
    c.recv('CAP LIST');
    assert.doesNotMatch(c.take().join('\n'), /sasl/);
    next = { accounts: { enabled: true } };
    assert.equal(h.server.rehash(), null);
    assert.match(c.take().join('\n'), /CAP watcher NEW :account-notify draft\/account-registration=before-connect sasl=PLAIN,SCRAM-SHA-256/);
  } finally {
    await h.close();
  }
});
