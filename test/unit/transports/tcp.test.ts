import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { pino } from 'pino';
import type { Config } from '../../../src/config/types.js';
import type { Connection, ConnectionHandlers } from '../../../src/transports/connection.js';
import { DEFAULT_CONFIG, validateConfig } from '../../../src/config/schema.js';
import {
  admissionError,
  isPeerAllowed,
  notLocalMessage,
  startTcpListener,
  type TcpListener,
} from '../../../src/transports/tcp.js';
import { FLUSH_SLICE_MS, TURN_TIME_BUDGET_MS, TURN_WRITE_BUDGET, flushUnfinished, outputLogLength, setTurnClock, takeTurnStats, writesThisTurn } from '../../../src/transports/tcp-connection.js';
import { closeText, closingLine } from '../../helpers/codes.js';

const logger = pino({ level: 'silent' });
/** fail instead of hanging when a connection never arrives */
const T = { timeout: 15_000 };
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function cfg(over: Record<string, unknown> = {}): Config {
  return validateConfig(over, DEFAULT_CONFIG);
}

async function listen(config: Config, host = '127.0.0.1') {
  const conns: Connection[] = [];
  const waiters: Array<(c: Connection) => void> = [];
  const listener: TcpListener = await startTcpListener({
    host,
    port: 0,
    config: () => config,
    logger,
    onConnection: (c) => {
      const w = waiters.shift();
      if (w) w(c);
      else conns.push(c);
    },
  });
  cleanups.push(() => listener.close());
  const next = (): Promise<Connection> => {
    const c = conns.shift();
    if (c) return Promise.resolve(c);
    return new Promise((resolve) => waiters.push(resolve));
  };
  return { listener, next, port: listener.address().port };
}

interface Client {
  socket: Socket;
  /** resolves with the next received line */
  line(): Promise<string>;
  lines: string[];
  ended: Promise<void>;
}

async function client(port: number, opts: { read?: boolean; allowHalfOpen?: boolean } = {}): Promise<Client> {
  const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: opts.allowHalfOpen ?? false });
  socket.on('error', () => {});
  cleanups.push(() => void socket.destroy());
  await once(socket, 'connect');
  const lines: string[] = [];
  const waiters: Array<(l: string) => void> = [];
  let buf = '';
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  if (opts.read !== false) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      buf += d;
      let i: number;
      while ((i = buf.indexOf('\r\n')) !== -1) {
        const l = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const w = waiters.shift();
        if (w) w(l);
        else lines.push(l);
      }
    });
  } else {
    socket.pause();
  }
  return {
    socket,
    lines,
    ended,
    line: () => {
      const l = lines.shift();
      if (l !== undefined) return Promise.resolve(l);
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}

function recorder() {
  const lines: string[] = [];
  let tooLong = 0;
  const closedReasons: string[] = [];
  let onLine: ((l: string) => void) | null = null;
  let resolveClosed!: (r: string) => void;
  const closed = new Promise<string>((r) => (resolveClosed = r));
  const handlers: ConnectionHandlers = {
    line: (l) => {
      lines.push(l);
      onLine?.(l);
    },
    tooLong: () => void tooLong++,
    closed: (r) => {
      closedReasons.push(r);
      resolveClosed(r);
    },
  };
  const waitLines = (n: number) =>
    new Promise<void>((resolve) => {
      if (lines.length >= n) return resolve();
      onLine = () => {
        if (lines.length >= n) resolve();
      };
    });
  return { handlers, lines, closedReasons, closed, waitLines, get tooLong() { return tooLong; } };
}

const tick = () => new Promise((r) => setImmediate(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a connection receives lines (held until attach), writes are delivered, close() says goodbye', T, async () => {
  const { next, port, listener } = await listen(cfg());
  const c = await client(port);
  const conn = await next();
  assert.equal(conn.remoteAddress, '127.0.0.1');
  assert.equal(conn.remotePort, c.socket.localPort);
  assert.equal(conn.secure, false);
  assert.equal(listener.connectionCount, 1);

  c.socket.write('NICK alice\r\nUSER a 0 * :Alice\n');
  await sleep(50); // arrives before attach: must be held
  const rec = recorder();
  conn.attach(rec.handlers);
  assert.deepEqual(rec.lines, ['NICK alice', 'USER a 0 * :Alice']);

  c.socket.write('PING :x\r');
  await rec.waitLines(3);
  assert.equal(rec.lines[2], 'PING :x');

  assert.equal(conn.write(':srv 001 alice :Welcome'), true);
  assert.equal(conn.write(':srv 002 alice :Your host'), true);
  assert.ok(conn.queuedBytes > 0);
  assert.equal(await c.line(), ':srv 001 alice :Welcome');
  assert.equal(await c.line(), ':srv 002 alice :Your host');

  conn.write(':srv NOTICE alice :last');
  conn.close('ERROR :Closing link: bye');
  assert.equal(conn.write('after close'), false);
  assert.equal(await c.line(), ':srv NOTICE alice :last');
  assert.equal(await c.line(), 'ERROR :Closing link: bye');
  await c.ended;
  assert.equal(await rec.closed, 'Connection closed');
  await sleep(10);
  assert.deepEqual(rec.closedReasons, ['Connection closed']);
  assert.equal(listener.connectionCount, 0);
  conn.close(); // idempotent
});

test("'::' listens dual-stack: an IPv4 client is seen as a plain IPv4 address", T, async (t) => {
  let l;
  try {
    l = await listen(cfg(), '::');
  } catch (e) {
    t.skip(`no IPv6 here: ${(e as Error).message}`);
    return;
  }
  const c = await client(l.port);
  const conn = await l.next();
  assert.equal(conn.remoteAddress, '127.0.0.1');
  c.socket.destroy();
});

test('peer disconnect calls closed exactly once; counters do not leak', T, async () => {
  const config = cfg({ connections: { perIp: 2 } });
  const { next, port, listener } = await listen(config);
  for (let round = 0; round < 3; round++) {
    const a = await client(port);
    const b = await client(port);
    const ca = await next();
    const cb = await next();
    const ra = recorder();
    const rb = recorder();
    ca.attach(ra.handlers);
    cb.attach(rb.handlers);
    a.socket.end();
    b.socket.destroy();
    await Promise.all([ra.closed, rb.closed]);
    assert.deepEqual(ra.closedReasons, ['Connection closed']);
    assert.equal(rb.closedReasons.length, 1);
  }
  await sleep(10);
  assert.equal(listener.connectionCount, 0);
});

test('per-IP cap refuses with an ERROR line, others unaffected', T, async () => {
  const { next, port } = await listen(cfg({ connections: { perIp: 2 } }));
  const a = await client(port);
  const b = await client(port);
  await next();
  await next();
  const c = await client(port);
  assert.equal(await c.line(), closingLine('127.0.0.1', 'TINCAN_ERR_TOO_MANY'));
  await c.ended;
  assert.equal(a.socket.destroyed, false);
  assert.equal(b.socket.destroyed, false);
});

test('per-IP rate limit refuses the connection over ratePerMinute', T, async () => {
  const { next, port } = await listen(cfg({ connections: { ratePerMinute: 3 } }));
  for (let i = 0; i < 3; i++) {
    const c = await client(port);
    await next();
    c.socket.destroy();
  }
  const c = await client(port);
  assert.equal(await c.line(), closingLine('127.0.0.1', 'TINCAN_ERR_TOO_MANY'));
});

test('maxClients refuses when the server is full; limits off admits everyone', T, async () => {
  const full = await listen(cfg({ connections: { maxClients: 1 } }));
  await client(full.port);
  await full.next();
  const c = await client(full.port);
  assert.equal(await c.line(), closingLine('127.0.0.1', 'TINCAN_ERR_SERVER_FULL'));

  const open = await listen(cfg({ connections: { enabled: false, maxClients: 1, perIp: 1 } }));
  await client(open.port);
  await client(open.port);
  await open.next();
  await open.next();
  assert.equal(open.listener.connectionCount, 2);
});

test('peer policy: non-private addresses are refused unless public or allowed', T, () => {
  const state = { total: 0, perIp: 0, rateOk: () => true };
  const expected = closingLine('8.8.8.8', 'TINCAN_ERR_NOT_LOCAL');
  assert.equal(notLocalMessage('8.8.8.8'), expected);
  assert.equal(admissionError('8.8.8.8', cfg(), state), expected);
  assert.equal(admissionError('192.168.1.9', cfg(), state), null);
  assert.equal(admissionError('8.8.8.8', cfg({ public: true }), state), null);
  assert.equal(admissionError('8.8.8.8', cfg({ allow: ['8.8.8.0/24'] }), state), null);
  assert.equal(isPeerAllowed('9.9.9.9', cfg({ allow: ['8.8.8.0/24'] })), false);
  assert.equal(admissionError('10.0.0.1', cfg(), { ...state, perIp: 20 }), closingLine('10.0.0.1', 'TINCAN_ERR_TOO_MANY'));
});

test('a slow reader exceeds the SendQ and is dropped while another connection keeps working', T, async () => {
  const { next, port } = await listen(cfg({ limits: { sendQBytes: 64 * 1024 } }));
  const slow = await client(port, { read: false });
  const slowConn = await next();
  const fast = await client(port);
  const fastConn = await next();
  const slowRec = recorder();
  slowConn.attach(slowRec.handlers);
  fastConn.attach(recorder().handlers);

  const payload = 'x'.repeat(4000);
  let refusedAt = -1;
  for (let i = 0; i < 20000; i++) {
    if (!slowConn.write(`:srv PRIVMSG slow :${payload}`)) {
      refusedAt = i;
      break;
    }
    assert.ok(slowConn.queuedBytes <= 64 * 1024);
    await tick();
  }
  assert.ok(refusedAt > 0, 'write never returned false');
  assert.equal(slowConn.write('more'), false);
  assert.equal(await slowRec.closed, closeText('TINCAN_ERR_SENDQ'));
  assert.deepEqual(slowRec.closedReasons, [closeText('TINCAN_ERR_SENDQ')]);

  assert.equal(fastConn.write('still here'), true);
  assert.equal(await fast.line(), 'still here');
  slow.socket.destroy();
});

test('too much written in a single tick also trips the SendQ', T, async () => {
  const { next, port } = await listen(cfg({ limits: { sendQBytes: 8192 } }));
  const c = await client(port);
  const conn = await next();
  const rec = recorder();
  conn.attach(rec.handlers);
  let ok = true;
  for (let i = 0; i < 10 && ok; i++) ok = conn.write('y'.repeat(1000));
  assert.equal(ok, false);
  const received: string[] = [];
  for (;;) {
    const l = await c.line();
    received.push(l);
    if (l.startsWith('ERROR')) break;
  }
  assert.deepEqual(received, [`ERROR :${closeText('TINCAN_ERR_SENDQ')}`]); // pending data was dropped
  assert.equal(await rec.closed, closeText('TINCAN_ERR_SENDQ'));
});

test('pause() holds lines already split from a chunk until resume()', T, async () => {
  const { next, port } = await listen(cfg());
  const c = await client(port);
  const conn = await next();
  const rec = recorder();
  conn.attach({
    ...rec.handlers,
    line: (l) => {
      rec.handlers.line(l);
      if (l === 'one') conn.pause();
    },
  });
  c.socket.write('one\r\ntwo\r\nthree\r\n');
  await rec.waitLines(1);
  await sleep(50);
  assert.deepEqual(rec.lines, ['one']);
  c.socket.write('four\r\n');
  await sleep(50);
  assert.deepEqual(rec.lines, ['one']);
  conn.resume();
  await rec.waitLines(4);
  assert.deepEqual(rec.lines, ['one', 'two', 'three', 'four']);
});

test('an over-long line is reported via tooLong and reading carries on', T, async () => {
  const { next, port } = await listen(cfg({ limits: { maxLineBytes: 600 } }));
  const c = await client(port);
  const conn = await next();
  const rec = recorder();
  conn.attach(rec.handlers);
  c.socket.write('a'.repeat(5000) + '\r\nok\r\n');
  await rec.waitLines(1);
  assert.equal(rec.tooLong, 1);
  assert.deepEqual(rec.lines, ['ok']);
});

test('close() destroys a peer that never closes its side after the grace period', T, async () => {
  const { next, port } = await listen(cfg());
  const c = await client(port, { allowHalfOpen: true });
  const conn = await next();
  const rec = recorder();
  conn.attach(rec.handlers);
  const t0 = Date.now();
  conn.close('ERROR :bye');
  assert.equal(await c.line(), 'ERROR :bye');
  assert.equal(await rec.closed, 'Connection closed');
  const ms = Date.now() - t0;
  assert.ok(ms >= 1500 && ms < 5000, `closed after ${ms}ms`);
});

test('a connection closed before attach still reports its held lines and closed', T, async () => {
  const { next, port } = await listen(cfg());
  const c = await client(port);
  const conn = await next();
  c.socket.end('QUIT :bye\r\n');
  await c.ended;
  await sleep(20);
  const rec = recorder();
  conn.attach(rec.handlers);
  assert.deepEqual(rec.lines, ['QUIT :bye']);
  assert.deepEqual(rec.closedReasons, ['Connection closed']);
});

test('listener.close() stops accepting new connections', T, async () => {
  const config = cfg();
  const listener = await startTcpListener({ host: '127.0.0.1', port: 0, config: () => config, logger, onConnection: () => {} });
  const port = listener.address().port;
  await listener.close();
  const s = connect({ host: '127.0.0.1', port });
  const [err] = (await once(s, 'error')) as [NodeJS.ErrnoException];
  assert.equal(err.code, 'ECONNREFUSED');
});

test('EADDRINUSE is reported as an error with that code', T, async () => {
  const { port } = await listen(cfg());
  const config = cfg();
  await assert.rejects(
    startTcpListener({ host: '127.0.0.1', port, config: () => config, logger, onConnection: () => {} }),
    (e: NodeJS.ErrnoException) => e.code === 'EADDRINUSE',
  );
});

test('detect.plain: the injected dialect wraps plain-text connections; IRC and a missing dialect get line connections', T, async () => {
  const config = cfg();
  const got: Connection[] = [];
  const wraps: Array<{ inner: Connection; lurking: boolean }> = [];
  const start = (plain: boolean) =>
    startTcpListener({
      host: '127.0.0.1',
      port: 0,
      config: () => config,
      logger,
      onConnection: (c) => got.push(c),
      detect: plain
        ? {
            plain: {
              framing: () => ({}),
              wrap: (inner, { lurking }) => {
                wraps.push({ inner, lurking });
                return { ...inner, id: inner.id, remoteAddress: 'wrapped' } as unknown as Connection;
              },
            },
          }
        : {},
    });
  const until = async (cond: () => boolean) => {
    while (!cond()) await new Promise((r) => setImmediate(r));
  };
  const withDialect = await start(true);
  cleanups.push(() => withDialect.close());
  const a = await client(withDialect.address().port);
  a.socket.write('hello there\r\n');
  await until(() => got.length === 1);
  assert.equal(got[0]!.remoteAddress, 'wrapped');
  assert.equal(wraps.length, 1);
  assert.equal(wraps[0]!.lurking, false, 'it typed');
  const b = await client(withDialect.address().port);
  b.socket.write('NICK x\r\n');
  await until(() => got.length === 2);
  assert.equal(got[1]!.remoteAddress, '127.0.0.1', 'IRC is not wrapped');
  assert.equal(wraps.length, 1);

  const without = await start(false);
  cleanups.push(() => without.close());
  const c = await client(without.address().port);
  c.socket.write('hello there\r\n');
  await until(() => got.length === 3);
  assert.equal(got[2]!.remoteAddress, '127.0.0.1', 'no dialect: plain text is taken as IRC lines');
});

test('input that would queue more than the turn budget of writes waits for the next turn (loop stalls, docs/performance.md)', T, async () => {
  const { next, port } = await listen(cfg());
  const sender = await client(port);
  const senderConn = await next();
  const sink = await client(port);
  const sinkConn = await next();
  sinkConn.attach(recorder().handlers);
  // every line received is fanned out as PER_LINE writes (a message to a big room)
  const PER_LINE = 2_000;
  const LINES = 150; // 300,000 writes: three budgets' worth, sent as one chunk
  const got: string[] = [];
  let maxTurnWrites = 0;
  let turnsSeen = 0;
  let immediateRan = false;
  senderConn.attach({
    line: (l) => {
      if (got.length === 0) setImmediate(() => (immediateRan = true));
      // the loop turned (timers, other sockets) between lines of the same chunk
      if (immediateRan && turnsSeen === 0) turnsSeen = got.length;
      got.push(l);
      for (let i = 0; i < PER_LINE; i++) sinkConn.write(l);
      maxTurnWrites = Math.max(maxTurnWrites, writesThisTurn());
    },
    tooLong: () => {},
    closed: () => {},
  });
  const payload = Array.from({ length: LINES }, (_, i) => `m${i}`);
  sender.socket.write(payload.map((l) => l + '\r\n').join(''));
  // everything is handled, in order, and everything written arrives
  const want = LINES * PER_LINE;
  const deadline = Date.now() + 10_000;
  while ((got.length < LINES || sink.lines.length < want) && Date.now() < deadline) await sleep(5);
  assert.deepEqual(got, payload);
  assert.equal(sink.lines.length, want);
  assert.equal(sink.lines[0], 'm0');
  assert.equal(sink.lines[want - 1], `m${LINES - 1}`);
  // no turn queued more than the budget plus one line's fan-out...
  assert.ok(maxTurnWrites <= TURN_WRITE_BUDGET + PER_LINE, `a turn queued ${maxTurnWrites} writes`);
  // ...so the chunk was split across turns, with the loop running in between
  assert.ok(turnsSeen > 0 && turnsSeen < LINES, `the loop turned after line ${turnsSeen}`);
  // and the socket reads again afterwards
  sender.socket.write('after\r\n');
  while (got.length < LINES + 1 && Date.now() < deadline) await sleep(5);
  assert.equal(got[LINES], 'after');
});

test('lines held back by the turn budget are still handled when the peer ends right after sending them', T, async () => {
  const { next, port } = await listen(cfg());
  const sender = await client(port);
  const senderConn = await next();
  const sink = await client(port);
  const sinkConn = await next();
  sinkConn.attach(recorder().handlers);
  const got: string[] = [];
  let closedAfter = -1;
  senderConn.attach({
    line: (l) => {
      got.push(l);
      for (let i = 0; i < 2_000; i++) sinkConn.write(l);
    },
    tooLong: () => {},
    closed: () => (closedAfter = got.length),
  });
  const payload = Array.from({ length: 80 }, (_, i) => `m${i}`);
  sender.socket.end(payload.map((l) => l + '\r\n').join('') + 'QUIT :bye\r\n');
  const deadline = Date.now() + 10_000;
  while (closedAfter < 0 && Date.now() < deadline) await sleep(5);
  assert.deepEqual(got, [...payload, 'QUIT :bye']);
  assert.equal(closedAfter, payload.length + 1);
  void sink;
});

test('many peers closing at once: their departures are spread over turns by the budget, and every one is reported', T, async () => {
  const { next, port } = await listen(cfg({ connections: { perIp: 1000, ratePerMinute: 100_000 } }));
  const sink = await client(port);
  const sinkConn = await next();
  sinkConn.attach(recorder().handlers);
  const N = 80;
  const PER_CLOSE = 2_000; // a QUIT to a big room: 160,000 writes in all, over one budget
  const peers: Client[] = [];
  const conns: Connection[] = [];
  for (let i = 0; i < N; i++) {
    peers.push(await client(port));
    conns.push(await next());
  }
  const closedAt: number[] = [];
  let turn = 0;
  let maxTurnWrites = 0;
  const counter = setInterval(() => turn++, 0); // a timer: counts loop iterations
  cleanups.push(() => clearInterval(counter));
  conns.forEach((c, i) =>
    c.attach({
      line: () => {},
      tooLong: () => {},
      closed: () => {
        closedAt.push(turn);
        for (let k = 0; k < PER_CLOSE; k++) sinkConn.write(`quit ${i}`);
        maxTurnWrites = Math.max(maxTurnWrites, writesThisTurn());
      },
    }),
  );
  for (const p of peers) p.socket.destroy();
  const deadline = Date.now() + 10_000;
  while ((closedAt.length < N || sink.lines.length < N * PER_CLOSE) && Date.now() < deadline) await sleep(5);
  assert.equal(closedAt.length, N);
  assert.equal(sink.lines.length, N * PER_CLOSE);
  assert.ok(maxTurnWrites <= TURN_WRITE_BUDGET + PER_CLOSE, `a turn queued ${maxTurnWrites} writes`);
});

/** A clock for the slice and turn budgets that advances `step` ms each time it is read. */
function steppingClock(step: number): () => number {
  let t = 0;
  return () => (t += step);
}

/** Lines handled per turn: a line's handler writes once, and writesThisTurn() restarts at each flush. */
async function turnsOfInput(clockStep: number, lines: number): Promise<{ perTurn: number[]; got: string[] }> {
  const { next, port } = await listen(cfg());
  const sender = await client(port);
  const senderConn = await next();
  const sink = await client(port);
  const sinkConn = await next();
  sinkConn.attach(recorder().handlers);
  const restore = setTurnClock(steppingClock(clockStep));
  cleanups.push(restore);
  const got: string[] = [];
  const perTurn: number[] = [];
  let last = 0;
  senderConn.attach({
    line: (l) => {
      got.push(l);
      sinkConn.write(l); // a private message: one write per line, the cost is the handling
      const w = writesThisTurn();
      if (w <= last) perTurn.push(last);
      last = w;
    },
    tooLong: () => {},
    closed: () => {},
  });
  const payload = Array.from({ length: lines }, (_, i) => `p${i}`);
  sender.socket.write(payload.map((l) => l + '\r\n').join(''));
  const deadline = Date.now() + 10_000;
  while ((got.length < lines || sink.lines.length < lines) && Date.now() < deadline) await sleep(5);
  perTurn.push(last);
  assert.deepEqual(got, payload);
  assert.deepEqual(sink.lines, payload);
  restore();
  return { perTurn, got };
}

test('input that costs more than the turn time budget waits for the next turn, though it queues few writes', T, async () => {
  // the clock moves 1 ms per reading: it is read at a turn's first line and every 8th,
  // so a turn passes TURN_TIME_BUDGET_MS after about 8 x TURN_TIME_BUDGET_MS lines
  const slow = await turnsOfInput(1, 400);
  assert.ok(slow.perTurn.length >= 3, `turns: ${slow.perTurn.join(',')}`);
  assert.ok(Math.max(...slow.perTurn) <= 8 * (TURN_TIME_BUDGET_MS + 2), `lines per turn: ${slow.perTurn.join(',')}`);
  // control: a clock that does not move never ends the turn early (400 lines, 400 writes: far under the write budget)
  const frozen = await turnsOfInput(0, 400);
  assert.deepEqual(frozen.perTurn, [400]);
});

/** A sender and N reading peers (a room), every flush cut every 16 sockets by the clock. */
async function cutFlushRoom(N: number) {
  const { next, port } = await listen(cfg({ connections: { perIp: 1000, ratePerMinute: 100_000 } }));
  const sender = await client(port);
  const senderConn = await next();
  const peers: Client[] = [];
  const conns: Connection[] = [];
  for (let i = 0; i < N; i++) {
    peers.push(await client(port));
    conns.push(await next());
    conns[i]!.attach(recorder().handlers);
  }
  takeTurnStats();
  // every reading of the clock is past the slice: a flush stops at each check (every 16 sockets)
  cleanups.push(setTurnClock(steppingClock(FLUSH_SLICE_MS + 1)));
  return { sender, senderConn, peers, conns };
}

test('a flush that runs past its time slice writes the rest in the next turn: every peer gets its lines, in order', T, async () => {
  const N = 40;
  const { peers, conns } = await cutFlushRoom(N);
  for (let i = 0; i < N; i++) {
    conns[i]!.write(`first ${i}`);
    conns[i]!.write(`second ${i}`);
  }
  const deadline = Date.now() + 10_000;
  while (peers.some((p) => p.lines.length < 2) && Date.now() < deadline) await sleep(5);
  for (let i = 0; i < N; i++) assert.deepEqual(peers[i]!.lines, [`first ${i}`, `second ${i}`]);
  // 40 sockets in slices of 16: two cuts
  assert.equal(takeTurnStats().sliced, 2);
});

test('while a cut flush is unfinished, new input waits: output goes first', T, async () => {
  const { sender, senderConn, peers, conns } = await cutFlushRoom(40);
  const got: string[] = [];
  let handledWhileFlushing = 0;
  senderConn.attach({
    line: (l) => {
      if (flushUnfinished()) handledWhileFlushing++;
      got.push(l);
      for (const c of conns) c.write(l); // a message to a 40-member room
    },
    tooLong: () => {},
    closed: () => {},
  });
  // one line per TCP write, for 200 ms: many arrive while a flush is cut
  let n = 0;
  const until = Date.now() + 200;
  while (Date.now() < until) {
    sender.socket.write(`m${n++}\r\n`);
    await new Promise((r) => setImmediate(r));
  }
  const deadline = Date.now() + 10_000;
  while ((got.length < n || peers.some((p) => p.lines.length < n)) && Date.now() < deadline) await sleep(5);
  assert.equal(got.length, n);
  for (const p of peers) assert.deepEqual(p.lines, got);
  assert.ok(takeTurnStats().sliced > 10, 'flushes were cut');
  assert.equal(handledWhileFlushing, 0);
});

/**
 * One turn of a room and private lines mixed (tcp-connection.ts's output log: a room's
 * line is logged once and each member owes runs of the log): every peer must get exactly
 * its own lines in its own order, whether its runs are consecutive, broken by lines for
 * others, or repeat the same line; `peerLines(i)` says what peer i is written.
 */
function mixedTurn(conns: Connection[]): string[][] {
  const want: string[][] = conns.map(() => []);
  const put = (i: number, l: string): void => {
    assert.equal(conns[i]!.write(l), true);
    want[i]!.push(l);
  };
  const room = (l: string, skip = -1): void => {
    for (let i = 0; i < conns.length; i++) if (i !== skip) put(i, l);
  };
  room(':a!u@h PRIVMSG #r :one');
  put(1, ':b!u@h PRIVMSG p1 :private to 1'); // breaks peer 1's run
  room(':a!u@h PRIVMSG #r :two', 2); // peer 2 (the sender) is skipped: its run breaks
  put(3, ':a!u@h PRIVMSG #r :two'); // the same line again to the one who just got it
  room(':c!u@h PRIVMSG #r :three');
  put(0, ':srv NOTICE p0 :last, to 0 only');
  return want;
}

test('room lines and private lines in one turn: each peer gets its own lines in order, and the output log is emptied by the flush', T, async () => {
  const { next, port } = await listen(cfg({ connections: { perIp: 1000, ratePerMinute: 100_000 } }));
  const peers: Client[] = [];
  const conns: Connection[] = [];
  for (let i = 0; i < 6; i++) {
    peers.push(await client(port));
    conns.push(await next());
    conns[i]!.attach(recorder().handlers);
  }
  const want = mixedTurn(conns);
  // each distinct line is logged once, however many peers it goes to
  assert.equal(outputLogLength(), 5);
  const deadline = Date.now() + 10_000;
  while (peers.some((p, i) => p.lines.length < want[i]!.length) && Date.now() < deadline) await sleep(5);
  for (let i = 0; i < peers.length; i++) assert.deepEqual(peers[i]!.lines, want[i], `peer ${i}`);
  assert.equal(outputLogLength(), 0);
  // close() after queued lines: its final line goes after them
  peers[4]!.lines.length = 0;
  conns[4]!.write('queued');
  conns[4]!.close('ERROR :bye');
  assert.equal(await peers[4]!.line(), 'queued');
  assert.equal(await peers[4]!.line(), 'ERROR :bye');
});

test('a cut flush: the sockets left get their shared and private lines intact in the next turn, and the log never outlives a flush', T, async () => {
  const N = 40;
  const { peers, conns } = await cutFlushRoom(N);
  const want = mixedTurn(conns);
  const deadline = Date.now() + 10_000;
  while (peers.some((p, i) => p.lines.length < want[i]!.length) && Date.now() < deadline) await sleep(5);
  for (let i = 0; i < N; i++) assert.deepEqual(peers[i]!.lines, want[i], `peer ${i}`);
  assert.ok(takeTurnStats().sliced >= 2, 'the flush was cut');
  assert.equal(outputLogLength(), 0);
});

test('writes that do not come from TCP input (timers, WebSocket clients) do not hold TCP input back for as long as they go on', T, async () => {
  const { sender, senderConn, conns } = await cutFlushRoom(40);
  const got: string[] = [];
  senderConn.attach({ line: (l) => got.push(l), tooLong: () => {}, closed: () => {} });
  // a line to the whole room every turn, from outside TCP input: every flush is cut, and
  // the sockets already written are dirty again before the rest is done
  let writing = true;
  let sent = 0;
  const writeRoom = (): void => {
    if (!writing) return;
    for (const c of conns) c.write(`tick ${sent}`);
    sent++;
    setImmediate(writeRoom);
  };
  writeRoom();
  cleanups.push(() => void (writing = false));
  await sleep(20);
  sender.socket.write('hello\r\n');
  const deadline = Date.now() + 2_000;
  while (got.length === 0 && Date.now() < deadline) await sleep(5);
  const stillWriting = writing;
  writing = false;
  assert.deepEqual(got, ['hello']);
  assert.ok(stillWriting && sent > 10, `the room was written to ${sent} times meanwhile`);
});

