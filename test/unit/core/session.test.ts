// Per-session rules: pre-registration cap, flood control, timeouts, handler failures, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS } from '../../../src/core/commands/index.js';
import type { CommandSpec } from '../../../src/core/commands/types.js';
import { using, one, none, msgs, oneMsg, src, SERVER, inRoom, until } from './util.js';
import { closeText, closedBy, closingLine } from '../../helpers/codes.js';

// ---- pre-registration cap ------------------------------------------------------------

test('more lines than preRegistrationLines before registering: disconnected', () =>
  using({ limits: { preRegistrationLines: 5 } }, (h) => {
    const c = h.connect();
    for (let i = 0; i < 5; i++) c.recv('PING ' + i);
    assert.equal(msgs(c.take(), 'PONG').length, 5);
    assert.equal(c.closed, false);
    c.recv('PING 6');
    assert.ok(c.closed);
    assert.equal(c.closeLine, closingLine('127.0.0.1', 'TINCAN_ERR_PREREG_LINES'));
    none(c.lines, 'PONG');
  }));

test('the pre-registration cap no longer applies once registered', () =>
  using({ limits: { preRegistrationLines: 5 } }, (h) => {
    const a = h.client('alice');
    for (let i = 0; i < 20; i++) a.recv('PING ' + i);
    assert.equal(msgs(a.take(), 'PONG').length, 20);
    assert.equal(a.closed, false);
  }));

// ---- flood control ---------------------------------------------------------------------

test('flood: lines over the burst are delayed, not dropped, and handled in order', async () =>
  using({ flood: { enabled: true, linesPerSecond: 50, burst: 3, maxQueued: 20 } }, async (h) => {
    const c = h.connect();
    for (let i = 1; i <= 6; i++) c.recv('PING t' + i);
    assert.deepEqual(msgs(c.take(), 'PONG').map((m) => m.params[1]), ['t1', 't2', 't3']);
    h.clock.now += 60; // the bucket runs on the server's clock: 3 tokens at 50/s
    await until(() => c.lines.length >= 3, 'the queued lines');
    assert.deepEqual(msgs(c.take(), 'PONG').map((m) => m.params[1]), ['t4', 't5', 't6']);
    assert.equal(c.closed, false);
  }));

test('flood: a sustained flood disconnects with ERROR ... Excess Flood, peers see the QUIT', () =>
  using({ flood: { enabled: true, linesPerSecond: 0.5, burst: 4, maxQueued: 5 } }, (h) => {
    const b = h.client('bob');
    const a = h.client('alice');
    inRoom('#c', a, b);
    for (let i = 0; i < 20; i++) a.recv('PRIVMSG #c :spam ' + i);
    assert.ok(a.closed);
    assert.match(a.closeLine ?? '', closedBy('TINCAN_ERR_FLOOD'));
    const got = b.take();
    // the two lines inside the burst made it (registration + JOIN used the rest)
    assert.ok(msgs(got, 'PRIVMSG').length <= 4);
    const q = oneMsg(got, 'QUIT');
    assert.equal(q.source, src('alice'));
    assert.deepEqual(q.params, [closeText('TINCAN_ERR_FLOOD')]);
  }));

test('flood: IRC operators are exempt', () =>
  using(
    {
      flood: { enabled: true, linesPerSecond: 0.5, burst: 4, maxQueued: 2 },
      operators: [{ name: 'root', password: 'pw', hosts: [] }],
    },
    (h) => {
      const a = h.client('alice');
      a.recv('OPER root pw');
      a.take();
      for (let i = 0; i < 30; i++) a.recv('PING ' + i);
      assert.equal(a.closed, false);
      assert.equal(msgs(a.take(), 'PONG').length, 30);
    },
  ));

// ---- timeouts ----------------------------------------------------------------------------

test('registration timeout: unregistered connections are dropped after timeouts.registration', () =>
  using({ timeouts: { registration: 30 } }, (h) => {
    const c = h.connect();
    c.recv('NICK slow');
    const a = h.client('alice');
    h.clock.now += 29_000;
    h.server.housekeeping();
    assert.equal(c.closed, false);
    h.clock.now += 2_000;
    h.server.housekeeping();
    assert.ok(c.closed);
    assert.equal(c.closeLine, closingLine('127.0.0.1', 'TINCAN_ERR_REG_TIMEOUT'));
    assert.equal(a.closed, false);
    // the reserved nick is free again
    a.recv('NICK slow');
    assert.deepEqual(one(a.take(), 'NICK'), ['slow']);
  }));

test('ping: silence gets a PING; an answer keeps the session', () =>
  using({ timeouts: { pingInterval: 120, pingTimeout: 60 } }, (h) => {
    const a = h.client('alice');
    h.clock.now += 100_000;
    h.server.housekeeping();
    assert.deepEqual(a.take(), []);
    h.clock.now += 21_000;
    h.server.housekeeping();
    const p = oneMsg(a.take(), 'PING');
    assert.deepEqual(p.params, [SERVER]);
    h.clock.now += 30_000;
    a.recv('PONG :' + SERVER);
    h.clock.now += 50_000;
    h.server.housekeeping();
    assert.equal(a.closed, false);
    assert.deepEqual(a.take(), []);
  }));

test('ping timeout: no answer disconnects, and channel peers see the QUIT', () =>
  using({ timeouts: { pingInterval: 120, pingTimeout: 60 } }, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    inRoom('#c', a, b);
    h.clock.now += 121_000;
    h.server.housekeeping();
    assert.equal(msgs(a.take(), 'PING').length, 1);
    assert.equal(msgs(b.take(), 'PING').length, 1);
    b.recv('PONG :' + SERVER);
    h.clock.now += 61_000;
    h.server.housekeeping();
    assert.ok(a.closed);
    assert.equal(a.closeLine, closingLine('127.0.0.1', 'TINCAN_ERR_PING_TIMEOUT', '182'));
    assert.equal(b.closed, false);
    const q = oneMsg(b.take(), 'QUIT');
    assert.equal(q.source, src('alice'));
    assert.equal(q.params[0], closeText('TINCAN_ERR_PING_TIMEOUT', '182'));
  }));

// ---- handler failure ---------------------------------------------------------------------

test('a handler that throws drops only that session', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    inRoom('#c', a, b);
    const spec = COMMANDS.get('TIME') as CommandSpec;
    const original = spec.handler;
    spec.handler = () => {
      throw new Error('boom');
    };
    try {
      a.recv('TIME');
    } finally {
      spec.handler = original;
    }
    assert.ok(a.closed);
    assert.match(a.closeLine ?? '', closedBy('TINCAN_ERR_INTERNAL'));
    assert.equal(b.closed, false);
    assert.deepEqual(one(b.take(), 'QUIT'), [closeText('TINCAN_ERR_INTERNAL')]);
    b.recv('TIME');
    assert.equal(one(b.take(), '391')[0], 'bob');
    b.recv('NAMES #c');
    assert.deepEqual(one(b.take(), '353'), ['bob', '=', '#c', 'bob'], 'alice was removed from the channel');
  }));

// ---- invalid input -------------------------------------------------------------------------

test('malformed lines get a NOTICE and are otherwise ignored', () =>
  using({}, (h) => {
    const a = h.client('alice');
    for (const bad of ['@ PING x', '@=x PING x', ':', ':only-a-source', '@a=b']) {
      a.recv(bad);
      const n = one(a.take(), 'NOTICE');
      assert.equal(n[0], 'alice');
      assert.match(n[1]!, /^Malformed line ignored/, bad);
    }
    assert.equal(a.closed, false);
  }));

test('empty and whitespace-only lines are ignored silently', () =>
  using({}, (h) => {
    const a = h.client('alice');
    for (const l of ['', '   ', '\t']) a.recv(l);
    assert.deepEqual(a.take(), []);
  }));

test('an invalid command word gets 421', () =>
  using({}, (h) => {
    const a = h.client('alice');
    a.recv('PR1VMSG bob :x');
    const p = one(a.take(), '421');
    assert.equal(p[0], 'alice');
    assert.equal(p[p.length - 1], 'Unknown command');
  }));

test('a 421 for an invalid command word names the command (modern: "<client> <command> :Unknown command")', () =>
  using({}, (h) => {
    const a = h.client('alice');
    a.recv('PR1VMSG bob :x');
    assert.equal(one(a.take(), '421')[1], 'PR1VMSG');
  }));

test('NUL bytes are stripped from input', () =>
  using({}, (h) => {
    const a = h.client('alice');
    a.recv('PING a\0b');
    assert.deepEqual(one(a.take(), 'PONG'), [SERVER, 'ab']);
    const b = h.client('bob');
    a.recv('PRIVMSG bob :he\0llo');
    assert.deepEqual(one(b.take(), 'PRIVMSG'), ['bob', 'hello']);
  }));

test('a body over 512 bytes (with CRLF) gets 417 and is not executed', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    const head = 'PRIVMSG bob :';
    a.recv(head + 'x'.repeat(510 - head.length)); // exactly 510 + CRLF: fine
    assert.equal(one(b.take(), 'PRIVMSG')[1]!.length > 0, true);
    none(a.take(), '417');
    a.recv(head + 'x'.repeat(511 - head.length));
    assert.deepEqual(one(a.take(), '417'), ['alice', 'Input line was too long']);
    assert.deepEqual(b.take(), []);
    // multi-byte text counts in bytes
    a.recv(head + 'é'.repeat(260));
    assert.equal(one(a.take(), '417')[0], 'alice');
    assert.deepEqual(b.take(), []);
  }));

test('tags do not count against the 512-byte body limit', () =>
  using({}, (h) => {
    const a = h.client('alice', ['message-tags']);
    const b = h.client('bob', ['message-tags']);
    a.recv(`@+big=${'v'.repeat(1000)} PRIVMSG bob :hi`);
    none(a.take(), '417');
    const m = oneMsg(b.take(), 'PRIVMSG');
    assert.equal(m.tags?.get('+big'), 'v'.repeat(1000));
  }));

test('the transport reporting an over-long line gets 417, before and after registration', () =>
  using({}, (h) => {
    const c = h.connect();
    c.handlers!.tooLong();
    assert.deepEqual(one(c.take(), '417'), ['*', 'Input line was too long']);
    const a = h.client('alice');
    a.handlers!.tooLong();
    assert.deepEqual(one(a.take(), '417'), ['alice', 'Input line was too long']);
    assert.equal(a.closed, false);
  }));

test('lines arriving after the session closed are ignored', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    a.recv('QUIT');
    a.handlers!.line('PRIVMSG bob :ghost');
    assert.deepEqual(b.take(), []);
  }));
