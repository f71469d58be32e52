// Registration and keep-alive commands: PASS NICK USER PING PONG QUIT, 451 before registration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { using, one, none, msgs, oneMsg, src, SERVER } from './util.js';
import { closedBy } from '../../helpers/codes.js';
import { makeConfig } from '../../helpers/harness.js';

test('NICK + USER registers: 001-005, LUSERS and MOTD with the full source', () =>
  using({}, (h) => {
    const c = h.connect();
    c.recv('NICK alice');
    assert.deepEqual(c.take(), []);
    c.recv('USER alice 0 * :Alice Liddell');
    const got = c.take();
    const w = oneMsg(got, '001');
    assert.equal(w.source, SERVER);
    assert.equal(w.params[0], 'alice');
    assert.match(w.params[1]!, new RegExp(`${src('alice').replace(/[.]/g, '\\.')}$`));
    for (const code of ['002', '003', '004', '251', '375', '376']) assert.ok(msgs(got, code).length >= 1, code);
    assert.ok(msgs(got, '005').some((m) => m.params.includes('CASEMAPPING=rfc1459')));
    const mi = one(got, '004');
    assert.deepEqual(mi.slice(0, 2), ['alice', SERVER]);
  }));

test('USER before NICK also registers; username gets ~ and realname is kept', () =>
  using({}, (h) => {
    const c = h.connect();
    c.recv('USER bob 0 * :Bob Real');
    assert.deepEqual(c.take(), []);
    c.recv('NICK bob');
    assert.equal(msgs(c.take(), '001').length, 1);
    const a = h.client('alice');
    a.recv('WHOIS bob');
    assert.deepEqual(one(a.take(), '311'), ['alice', 'bob', '~bob', '127.0.0.1', '*', 'Bob Real']);
  }));

test('commands before registration get 451, unknown ones too', () =>
  using({}, (h) => {
    const c = h.connect();
    for (const cmd of ['JOIN #a', 'PRIVMSG bob :hi', 'WHOIS bob', 'MODE x', 'FROBNICATE']) {
      c.recv(cmd);
      const p = one(c.take(), '451');
      assert.deepEqual(p, ['*', 'You have not registered']);
    }
  }));

test('421 for an unknown command once registered', () =>
  using({}, (h) => {
    const a = h.client('alice');
    a.recv('FROBNICATE x');
    assert.deepEqual(one(a.take(), '421'), ['alice', 'FROBNICATE', 'Unknown command']);
  }));

test('NICK without a parameter: 431', () =>
  using({}, (h) => {
    const a = h.client('alice');
    a.recv('NICK');
    assert.equal(one(a.take(), '431')[0], 'alice');
    a.recv('NICK :');
    assert.equal(one(a.take(), '431')[0], 'alice');
  }));

test('NICK erroneous: 432 echoes the nick (digit first, bad chars, too long)', () =>
  using({ limits: { nickLength: 9 } }, (h) => {
    const a = h.client('alice');
    for (const bad of ['1abc', 'a.b', 'abcdefghij', 'ni!ck']) {
      a.recv('NICK ' + bad);
      assert.deepEqual(one(a.take(), '432').slice(0, 2), ['alice', bad], bad);
    }
    const c = h.connect();
    c.recv('NICK #chan');
    assert.deepEqual(one(c.take(), '432').slice(0, 2), ['*', '#chan']);
  }));

test('NICK in use: 433 for registered and unregistered clients, case-insensitively', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    b.recv('NICK ALICE');
    assert.deepEqual(one(b.take(), '433').slice(0, 2), ['bob', 'ALICE']);
    const c = h.connect();
    c.recv('NICK Alice');
    assert.deepEqual(one(c.take(), '433').slice(0, 2), ['*', 'Alice']);
    c.recv('USER c 0 * :c');
    none(c.take(), '001'); // still no nick
    c.recv('NICK carol');
    assert.equal(msgs(c.take(), '001').length, 1);
    a.take();
  }));

test('nick change is announced to self and to every channel peer exactly once', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    const c = h.client('carol');
    a.recv('JOIN #one,#two');
    b.recv('JOIN #one,#two');
    c.recv('JOIN #one');
    a.take();
    b.take();
    c.take();
    const d = h.client('dave'); // shares no channel
    a.recv('NICK alicia');
    for (const conn of [a, b, c]) {
      const m = oneMsg(conn.take(), 'NICK');
      assert.equal(m.source, src('alice'));
      assert.deepEqual(m.params, ['alicia']);
    }
    assert.deepEqual(d.take(), []);
    // the new nick is live, the old one is free
    b.recv('PRIVMSG alicia :hi');
    assert.deepEqual(one(a.take(), 'PRIVMSG'), ['alicia', 'hi']);
    d.recv('NICK alice');
    assert.equal(oneMsg(d.take(), 'NICK').params[0], 'alice');
  }));

test('changing only the case of your nick is allowed and announced', () =>
  using({}, (h) => {
    const a = h.client('alice');
    a.recv('NICK Alice');
    const m = oneMsg(a.take(), 'NICK');
    assert.deepEqual(m.params, ['Alice']);
    a.recv('NICK Alice');
    assert.deepEqual(a.take(), []);
  }));

test('casemapping rfc1459: [foo] collides with {foo}, \\ with |', () =>
  using({}, (h) => {
    h.client('{foo}');
    const b = h.client('bob');
    b.recv('NICK [foo]');
    assert.deepEqual(one(b.take(), '433').slice(0, 2), ['bob', '[foo]']);
    b.recv('NICK x|y');
    b.take();
    const c = h.client('carol');
    c.recv('NICK X\\Y');
    assert.deepEqual(one(c.take(), '433').slice(0, 2), ['carol', 'X\\Y']);
  }));

test('casemapping ascii: [foo] and {foo} are different nicks', () =>
  using({ casemapping: 'ascii' }, (h) => {
    h.client('{foo}');
    const b = h.client('bob');
    b.recv('NICK [foo]');
    assert.deepEqual(oneMsg(b.take(), 'NICK').params, ['[foo]']);
    const c = h.client('carol');
    c.recv('NICK BOB');
    none(c.take(), '433'); // bob is now [foo]
    c.recv('NICK [FOO]');
    assert.deepEqual(one(c.take(), '433').slice(0, 2), ['BOB', '[FOO]']);
  }));

test('USER with too few parameters: 461; USER/PASS after registration: 462', () =>
  using({}, (h) => {
    const c = h.connect();
    c.recv('USER onlytwo 0');
    assert.deepEqual(one(c.take(), '461').slice(0, 2), ['*', 'USER']);
    const a = h.client('alice');
    a.recv('USER again 0 * :x');
    assert.equal(one(a.take(), '462')[0], 'alice');
    a.recv('PASS whatever');
    assert.equal(one(a.take(), '462')[0], 'alice');
  }));

test('PASS with no parameter: 461', () =>
  using({}, (h) => {
    const c = h.connect();
    c.recv('PASS');
    assert.deepEqual(one(c.take(), '461').slice(0, 2), ['*', 'PASS']);
  }));

test('server password: right PASS registers, wrong or missing PASS gets 464 and ERROR', () =>
  using({ password: 'pw' }, (h) => {
    const ok = h.connect();
    ok.recv('PASS pw');
    ok.recv('NICK alice');
    ok.recv('USER alice 0 * :A');
    assert.equal(msgs(ok.take(), '001').length, 1);

    const bad = h.connect();
    bad.recv('PASS nope');
    bad.recv('NICK bob');
    bad.recv('USER bob 0 * :B');
    const got = bad.take();
    assert.equal(one(got, '464')[0], 'bob');
    none(got, '001');
    assert.ok(bad.closed);
    assert.match(bad.closeLine ?? '', closedBy('TINCAN_ERR_BAD_PASSWORD'));

    const missing = h.connect();
    missing.recv('NICK carol');
    missing.recv('USER carol 0 * :C');
    assert.equal(one(missing.take(), '464')[0], 'carol');
    assert.ok(missing.closed);
    // the nick is released again
    const again = h.connect();
    again.recv('PASS pw');
    again.recv('NICK bob');
    again.recv('USER bob 0 * :B');
    assert.equal(msgs(again.take(), '001').length, 1);
  }));

test('PING answers PONG with the token, before and after registration; 409 without one', () =>
  using({}, (h) => {
    const c = h.connect();
    c.recv('PING abc');
    const m = oneMsg(c.take(), 'PONG');
    assert.equal(m.source, SERVER);
    assert.deepEqual(m.params, [SERVER, 'abc']);
    const a = h.client('alice');
    a.recv('PING :with space');
    assert.deepEqual(one(a.take(), 'PONG'), [SERVER, 'with space']);
    a.recv('PING');
    assert.equal(one(a.take(), '409')[0], 'alice');
  }));

test('PONG is accepted silently, even with no parameter', () =>
  using({}, (h) => {
    const a = h.client('alice');
    a.recv('PONG');
    a.recv('PONG :' + SERVER);
    assert.deepEqual(a.take(), []);
  }));

test('QUIT: ERROR to the quitter, QUIT with reason to channel peers once, nick freed', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    const d = h.client('dave');
    a.recv('JOIN #one,#two');
    b.recv('JOIN #one,#two');
    a.take();
    b.take();
    a.recv('QUIT :bye now');
    assert.ok(a.closed);
    assert.match(a.closeLine ?? '', /^ERROR :Closing link: 127\.0\.0\.1 \(Quit: bye now\)$/);
    const q = oneMsg(b.take(), 'QUIT');
    assert.equal(q.source, src('alice'));
    assert.deepEqual(q.params, ['Quit: bye now']);
    assert.deepEqual(d.take(), []);
    // alice left the channels
    b.recv('NAMES #one');
    assert.deepEqual(one(b.take(), '353'), ['bob', '=', '#one', 'bob']);
    // and the nick is free
    d.recv('NICK alice');
    assert.deepEqual(one(d.take(), 'NICK'), ['alice']);
  }));

test('QUIT without a reason: "Client Quit"; peer hang-up is announced with the transport reason', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    const c = h.client('carol');
    for (const x of [a, b, c]) x.recv('JOIN #c');
    for (const x of [a, b, c]) x.take();
    a.recv('QUIT');
    assert.deepEqual(one(b.take(), 'QUIT'), ['Client Quit']);
    c.take();
    b.hangup('Connection reset by peer');
    assert.deepEqual(one(c.take(), 'QUIT'), ['Connection reset by peer']);
  }));

test('QUIT before registration closes without announcing anything', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const c = h.connect();
    c.recv('NICK zed');
    c.recv('QUIT :gone');
    assert.ok(c.closed);
    assert.deepEqual(a.take(), []);
  }));

test('changing nick before registration releases the first one', () =>
  using({}, (h) => {
    const c = h.connect();
    c.recv('NICK first');
    c.recv('NICK second');
    const d = h.connect();
    d.recv('NICK first');
    d.recv('USER d 0 * :d');
    assert.equal(one(d.take(), '001')[0], 'first');
    d.recv('NICK second');
    assert.deepEqual(one(d.take(), '433').slice(0, 2), ['first', 'second']);
  }));

test('the welcome burst follows a reloaded config: MOTD and ISUPPORT lines are rebuilt, not kept from before', () =>
  using({ motd: ['first motd'], limits: { nickLength: 30 } }, (h) => {
    const before = h.connect();
    before.recv('NICK bob');
    before.recv('USER bob 0 * :Bob');
    const got1 = before.take();
    assert.deepEqual(msgs(got1, '372').map((m) => m.params), [['bob', '- first motd']]);
    assert.ok(msgs(got1, '005').some((m) => m.params.includes('NICKLEN=30')));
    h.server.reload(makeConfig({ motd: ['second', 'motd'], limits: { nickLength: 20 } }));
    const after = h.connect();
    after.recv('NICK carol');
    after.recv('USER carol 0 * :Carol');
    const got2 = after.take();
    assert.deepEqual(msgs(got2, '372').map((m) => m.params), [['carol', '- second'], ['carol', '- motd']]);
    const isupport = msgs(got2, '005');
    assert.ok(isupport.some((m) => m.params.includes('NICKLEN=20')));
    assert.ok(isupport.every((m) => m.params[0] === 'carol' && m.params.at(-1) === 'are supported by this server'));
  }));
