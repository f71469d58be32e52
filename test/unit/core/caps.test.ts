// IRCv3 capability negotiation and the behaviour of every offered capability.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { using, one, none, msgs, oneMsg, parseLine, src, SERVER, inRoom } from './util.js';

const ALL = [
  'account-notify', 'account-tag', 'draft/account-registration', 'sasl', 'standard-replies', 'away-notify', 'batch', 'cap-notify', 'chghost', 'draft/channel-rename', 'draft/chathistory', 'draft/event-playback', 'draft/message-redaction', 'draft/metadata-2', 'draft/multiline', 'draft/no-implicit-names', 'draft/pre-away', 'draft/read-marker', 'echo-message', 'extended-join', 'extended-monitor',
  'invite-notify', 'labeled-response', 'message-tags', 'multi-prefix', 'server-time', 'setname', 'userhost-in-names', 'znc.in/playback',
];

// ---- negotiation -------------------------------------------------------------------

test('CAP LS lists every capability; registration waits for CAP END', () =>
  using({}, (h) => {
    const c = h.connect();
    c.recv('CAP LS');
    const ls = oneMsg(c.take(), 'CAP');
    assert.equal(ls.source, SERVER);
    assert.deepEqual(ls.params.slice(0, 2), ['*', 'LS']);
    assert.deepEqual(ls.params[2]!.split(' ').sort(), [...ALL].sort());
    c.recv('NICK alice');
    c.recv('USER alice 0 * :A');
    none(c.take(), '001');
    c.recv('CAP END');
    assert.equal(msgs(c.take(), '001').length, 1);
  }));

test('CAP REQ without LS also holds registration until CAP END', () =>
  using({}, (h) => {
    const c = h.connect();
    c.recv('NICK alice');
    c.recv('CAP REQ :multi-prefix');
    c.recv('USER alice 0 * :A');
    const got = c.take();
    assert.deepEqual(one(got, 'CAP'), ['*', 'ACK', 'multi-prefix']);
    none(got, '001');
    c.recv('CAP END');
    assert.equal(msgs(c.take(), '001').length, 1);
  }));

test('CAP REQ: ACK enables, LIST shows, -cap disables', () =>
  using({}, (h) => {
    const c = h.connect();
    c.recv('CAP LS');
    c.take();
    c.recv('CAP REQ :multi-prefix echo-message');
    assert.deepEqual(one(c.take(), 'CAP').slice(1), ['ACK', 'multi-prefix echo-message']);
    c.recv('CAP LIST');
    assert.deepEqual(one(c.take(), 'CAP')[2]!.split(' ').sort(), ['echo-message', 'multi-prefix']);
    c.recv('CAP REQ :-echo-message');
    assert.deepEqual(one(c.take(), 'CAP').slice(1), ['ACK', '-echo-message']);
    c.recv('CAP LIST');
    assert.deepEqual(one(c.take(), 'CAP'), ['*', 'LIST', 'multi-prefix']);
  }));

test('CAP REQ with an unknown cap: NAK for the whole request, nothing enabled', () =>
  using({}, (h) => {
    const c = h.connect();
    c.recv('CAP LS');
    c.take();
    c.recv('CAP REQ :multi-prefix bogus-cap');
    assert.deepEqual(one(c.take(), 'CAP'), ['*', 'NAK', 'multi-prefix bogus-cap']);
    c.recv('CAP LIST');
    assert.deepEqual(one(c.take(), 'CAP'), ['*', 'LIST', '']);
  }));

test('CAP: 410 for an unknown subcommand, 461 without one', () =>
  using({}, (h) => {
    const c = h.connect();
    c.recv('CAP FOO');
    assert.deepEqual(one(c.take(), '410').slice(0, 2), ['*', 'FOO']);
    c.recv('CAP');
    assert.deepEqual(one(c.take(), '461').slice(0, 2), ['*', 'CAP']);
  }));

test('CAP LS 302 implies cap-notify', () =>
  using({}, (h) => {
    const c = h.connect();
    c.recv('CAP LS 302');
    c.take();
    c.recv('CAP LIST');
    assert.deepEqual(one(c.take(), 'CAP'), ['*', 'LIST', 'cap-notify']);
    const d = h.connect();
    d.recv('CAP LS');
    d.recv('CAP LIST');
    assert.deepEqual(msgs(d.take(), 'CAP')[1]!.params, ['*', 'LIST', '']);
  }));

test('CAP after registration: replies carry the nick, REQ works, END is ignored', () =>
  using({}, (h) => {
    const a = h.client('alice');
    a.recv('CAP LS 302');
    // the list takes two lines now (a `*` continuation first)
    for (const m of msgs(a.take(), 'CAP')) assert.deepEqual(m.params.slice(0, 2), ['alice', 'LS']);
    a.recv('CAP REQ :server-time');
    assert.deepEqual(one(a.take(), 'CAP'), ['alice', 'ACK', 'server-time']);
    a.recv('CAP END');
    assert.deepEqual(a.take(), []);
    a.recv('CAP LIST');
    assert.deepEqual(one(a.take(), 'CAP')[2]!.split(' ').sort(), ['cap-notify', 'server-time']);
  }));

// ---- server-time / message-tags ----------------------------------------------------

test('server-time: relayed messages carry @time from the server clock; others get no tags', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('bob', ['server-time']);
    const c = h.client('carol');
    h.clock.now = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
    a.recv('PRIVMSG bob :t');
    const m = oneMsg(b.take(), 'PRIVMSG');
    assert.deepEqual([...(m.tags ?? [])], [['time', '2024-01-02T03:04:05.678Z']]);
    a.recv('PRIVMSG carol :t');
    const line = c.take()[0]!;
    assert.ok(!line.startsWith('@'), line);
  }));

test('message-tags: every relayed message has a msgid, the same one for every recipient', () =>
  using({}, (h) => {
    const a = h.client('alice', ['message-tags']);
    const b = h.client('bob', ['message-tags']);
    const c = h.client('carol', ['message-tags']);
    inRoom('#c', b, c);
    const check = (cmd: string, recipients = [b, c]): void => {
      const ids = recipients.map((x) => oneMsg(x.take(), cmd).tags?.get('msgid'));
      assert.ok(ids[0] !== undefined && ids[0] !== '', `${cmd} has a msgid`);
      for (const id of ids) assert.equal(id, ids[0], `${cmd}: same msgid for everyone`);
      return;
    };
    a.recv('JOIN #c');
    a.take();
    check('JOIN');
    a.recv('PRIVMSG #c :hi');
    check('PRIVMSG');
    a.recv('NOTICE #c :hi');
    check('NOTICE');
    b.recv('TOPIC #c :t');
    check('TOPIC', [a, b, c]);
    b.recv('MODE #c +m');
    check('MODE', [a, b, c]);
    a.recv('NICK alice2');
    check('NICK', [a, b, c]);
    b.recv('KICK #c alice2 :bye');
    check('KICK', [a, b, c]);
    c.recv('PART #c :later');
    check('PART', [b, c]);
    c.recv('PRIVMSG bob :dm');
    check('PRIVMSG', [b]);
    c.recv('JOIN #c');
    b.take();
    c.take();
    c.recv('QUIT :gone');
    check('QUIT', [b]);
  }));

test('message-tags: msgids differ between messages', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('bob', ['message-tags']);
    a.recv('PRIVMSG bob :1');
    a.recv('PRIVMSG bob :2');
    const ids = msgs(b.take(), 'PRIVMSG').map((m) => m.tags?.get('msgid'));
    assert.equal(ids.length, 2);
    assert.notEqual(ids[0], ids[1]);
  }));

test('message-tags: client-only +tags are relayed to message-tags clients only, other tags dropped', () =>
  using({}, (h) => {
    const a = h.client('alice', ['message-tags']);
    const b = h.client('bob', ['message-tags']);
    const c = h.client('carol');
    for (const x of [a, b, c]) x.recv('JOIN #c');
    for (const x of [a, b, c]) x.take();
    a.recv('@+example.com/reply=abc\\sdef;+typing=active;server-only=1 PRIVMSG #c :tagged');
    const m = oneMsg(b.take(), 'PRIVMSG');
    assert.equal(m.tags?.get('+example.com/reply'), 'abc def');
    assert.equal(m.tags?.get('+typing'), 'active');
    assert.equal(m.tags?.has('server-only'), false);
    assert.ok(m.tags?.has('msgid'));
    const plain = c.take();
    assert.equal(plain.length, 1);
    assert.ok(!plain[0]!.startsWith('@'), plain[0]);
    assert.deepEqual(one(plain, 'PRIVMSG'), ['#c', 'tagged']);
  }));

test('TAGMSG goes only to message-tags clients, with its client tags', () =>
  using({}, (h) => {
    const a = h.client('alice', ['message-tags']);
    const b = h.client('bob', ['message-tags']);
    const c = h.client('carol');
    for (const x of [a, b, c]) x.recv('JOIN #c');
    for (const x of [a, b, c]) x.take();
    a.recv('@+typing=active TAGMSG #c');
    const m = oneMsg(b.take(), 'TAGMSG');
    assert.equal(m.source, src('alice'));
    assert.deepEqual(m.params, ['#c']);
    assert.equal(m.tags?.get('+typing'), 'active');
    assert.deepEqual(c.take(), []);
    assert.deepEqual(a.take(), []);
    a.recv('@+typing=paused TAGMSG carol');
    assert.deepEqual(c.take(), []);
    a.recv('@+typing=paused TAGMSG bob');
    assert.equal(oneMsg(b.take(), 'TAGMSG').tags?.get('+typing'), 'paused');
  }));

// ---- echo-message --------------------------------------------------------------------

test('echo-message: the sender gets its own PRIVMSG/NOTICE back, with the same msgid', () =>
  using({}, (h) => {
    const a = h.client('alice', ['echo-message', 'message-tags']);
    const b = h.client('bob', ['message-tags']);
    inRoom('#c', a, b);
    a.recv('PRIVMSG #c :echo me');
    const mine = oneMsg(a.take(), 'PRIVMSG');
    const theirs = oneMsg(b.take(), 'PRIVMSG');
    assert.equal(mine.source, src('alice'));
    assert.deepEqual(mine.params, ['#c', 'echo me']);
    assert.equal(mine.tags?.get('msgid'), theirs.tags?.get('msgid'));
    a.recv('NOTICE bob :dm');
    assert.deepEqual(one(a.take(), 'NOTICE'), ['bob', 'dm']);
    const c = h.client('carol');
    c.recv('PRIVMSG bob :no echo');
    assert.deepEqual(c.take(), []);
  }));

// ---- labeled-response ------------------------------------------------------------------

test('labeled-response: ACK when there is no reply', () =>
  using({}, (h) => {
    const a = h.client('alice', ['labeled-response', 'batch']);
    h.client('bob');
    a.recv('@label=q1 PRIVMSG bob :hi');
    const got = a.take();
    assert.equal(got.length, 1);
    const m = parseLine(got[0]!);
    assert.equal(m.command, 'ACK');
    assert.equal(m.source, SERVER);
    assert.equal(m.tags?.get('label'), 'q1');
  }));

test('labeled-response: a single reply carries the label', () =>
  using({}, (h) => {
    const a = h.client('alice', ['labeled-response', 'batch']);
    a.recv('@label=a\\sb PING tok');
    assert.equal(parseLine(a.take()[0]!).tags?.get('label'), 'a b', 'label escaping survives the round trip');
    a.recv('@label=abc PING tok');
    const got = a.take();
    assert.equal(got.length, 1);
    const m = parseLine(got[0]!);
    assert.equal(m.command, 'PONG');
    assert.equal(m.tags?.get('label'), 'abc');
    assert.deepEqual(m.params, [SERVER, 'tok']);
  }));

test('labeled-response: several replies come in a labeled-response BATCH when batch is on', () =>
  using({}, (h) => {
    const a = h.client('alice', ['labeled-response', 'batch']);
    h.client('bob');
    a.recv('@label=w1 WHOIS bob');
    const got = a.take().map(parseLine);
    const first = got[0]!;
    const last = got[got.length - 1]!;
    assert.equal(first.command, 'BATCH');
    assert.equal(first.tags?.get('label'), 'w1');
    const ref = first.params[0]!;
    assert.ok(ref.startsWith('+'));
    assert.equal(first.params[1], 'labeled-response');
    assert.equal(last.command, 'BATCH');
    assert.deepEqual(last.params, ['-' + ref.slice(1)]);
    const inner = got.slice(1, -1);
    assert.ok(inner.some((m) => m.command === '311') && inner.some((m) => m.command === '318'));
    for (const m of inner) {
      assert.equal(m.tags?.get('batch'), ref.slice(1));
      assert.equal(m.tags?.has('label'), false);
    }
  }));

test('labeled-response without batch: the label goes on the first line only', () =>
  using({}, (h) => {
    const a = h.client('alice', ['labeled-response']);
    h.client('bob');
    a.recv('@label=w2 WHOIS bob');
    const got = a.take().map(parseLine);
    assert.ok(got.length > 1);
    assert.equal(got[0]!.tags?.get('label'), 'w2');
    assert.ok(got.slice(1).every((m) => m.tags === null || !m.tags.has('label')));
    assert.ok(got.every((m) => m.command !== 'BATCH'));
  }));

test('labeled-response: the echo of a labeled PRIVMSG carries the label', () =>
  using({}, (h) => {
    const a = h.client('alice', ['labeled-response', 'echo-message']);
    const b = h.client('bob');
    a.recv('@label=e1 PRIVMSG bob :hi');
    const got = a.take();
    assert.equal(got.length, 1);
    const m = parseLine(got[0]!);
    assert.equal(m.command, 'PRIVMSG');
    assert.equal(m.tags?.get('label'), 'e1');
    const other = b.take();
    assert.ok(!other[0]!.includes('label='), 'the recipient never sees the label');
  }));

test('a label from a client without labeled-response is ignored', () =>
  using({}, (h) => {
    const a = h.client('alice');
    a.recv('@label=x PING tok');
    const got = a.take();
    assert.equal(got.length, 1);
    const m = parseLine(got[0]!);
    assert.equal(m.tags, null);
    assert.deepEqual([m.command, ...m.params], ['PONG', SERVER, 'tok']);
  }));

// ---- membership caps ----------------------------------------------------------------------

test('multi-prefix: NAMES, WHO and WHOIS show every prefix', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    a.recv('JOIN #c');
    b.recv('JOIN #c');
    a.recv('MODE #c +ov bob bob');
    const m = h.client('mp', ['multi-prefix']);
    m.recv('NAMES #c');
    assert.deepEqual(one(m.take(), '353')[3], '@alice @+bob');
    m.recv('WHO #c');
    assert.deepEqual(msgs(m.take(), '352').map((x) => x.params[6]), ['H@', 'H@+']);
    m.recv('WHOIS bob');
    assert.equal(one(m.take(), '319')[2], '@+#c');
    const p = h.client('plain');
    p.recv('NAMES #c');
    assert.deepEqual(one(p.take(), '353')[3], '@alice @bob');
  }));

test('userhost-in-names: NAMES shows nick!user@host', () =>
  using({}, (h) => {
    const a = h.client('alice');
    a.recv('JOIN #c');
    const u = h.client('uh', ['userhost-in-names']);
    u.recv('JOIN #c');
    assert.equal(one(u.take(), '353')[3], `@${src('alice')} ${src('uh')}`);
  }));

test('away-notify: channel peers with the cap hear AWAY once; others do not', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('bob', ['away-notify']);
    const c = h.client('carol');
    const d = h.client('dave', ['away-notify']); // no shared channel
    a.recv('JOIN #x,#y');
    b.recv('JOIN #x,#y');
    c.recv('JOIN #x');
    for (const x of [a, b, c]) x.take();
    a.recv('AWAY :coffee');
    const m = oneMsg(b.take(), 'AWAY');
    assert.equal(m.source, src('alice'));
    assert.deepEqual(m.params, ['coffee']);
    none(c.take(), 'AWAY');
    assert.deepEqual(d.take(), []);
    none(a.take(), 'AWAY');
    a.recv('AWAY');
    assert.deepEqual(oneMsg(b.take(), 'AWAY').params, []);
  }));

test('away-notify: an away user joining is followed by AWAY for cap holders', () =>
  using({}, (h) => {
    const b = h.client('bob', ['away-notify']);
    const c = h.client('carol');
    inRoom('#c', b, c);
    const a = h.client('alice');
    a.recv('AWAY :zzz');
    a.recv('JOIN #c');
    const got = b.take().map(parseLine);
    assert.deepEqual(got.map((m) => m.command), ['JOIN', 'AWAY']);
    assert.deepEqual(got[1]!.params, ['zzz']);
    none(c.take(), 'AWAY');
  }));

test('extended-join: JOIN carries account (*) and realname for cap holders only', () =>
  using({}, (h) => {
    const b = h.client('bob', ['extended-join']);
    const c = h.client('carol');
    inRoom('#c', b, c);
    const a = h.client('alice');
    a.recv('JOIN #c');
    assert.deepEqual(one(b.take(), 'JOIN'), ['#c', '*', 'alice Realname']);
    assert.deepEqual(one(c.take(), 'JOIN'), ['#c']);
  }));

test('invite-notify: other channel operators with the cap see the INVITE', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const o1 = h.client('opnotify', ['invite-notify']);
    const o2 = h.client('opplain');
    a.recv('JOIN #c');
    o1.recv('JOIN #c');
    o2.recv('JOIN #c');
    a.recv('MODE #c +oo opnotify opplain');
    for (const x of [a, o1, o2]) x.take();
    const t = h.client('target');
    a.recv('INVITE target #c');
    const m = oneMsg(o1.take(), 'INVITE');
    assert.equal(m.source, src('alice'));
    assert.deepEqual(m.params, ['target', '#c']);
    none(o2.take(), 'INVITE');
    assert.equal(msgs(t.take(), 'INVITE').length, 1);
    none(a.take(), 'INVITE');
  }));

test('setname: SETNAME reaches channel peers and self with the cap only', () =>
  using({}, (h) => {
    const a = h.client('alice', ['setname']);
    const b = h.client('bob', ['setname']);
    const c = h.client('carol');
    for (const x of [a, b, c]) x.recv('JOIN #c');
    for (const x of [a, b, c]) x.take();
    a.recv('SETNAME :New Name');
    for (const x of [a, b]) {
      const m = oneMsg(x.take(), 'SETNAME');
      assert.equal(m.source, src('alice'));
      assert.deepEqual(m.params, ['New Name']);
    }
    assert.deepEqual(c.take(), []);
  }));
