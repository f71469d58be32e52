// Flood control judges the sender's pace, not the server's backlog: lines typed at a
// normal pace during an event-loop stall arrive in one burst and must not trip Excess
// Flood; a real flood still does; the flood queue is bounded in bytes. All on the
// server's injected clock (no real time).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { IrcServer } from '../../../src/core/server.js';
import { TokenBucket } from '../../../src/util/token-bucket.js';
import { DEFAULT_CONFIG } from '../../../src/config/schema.js';
import { STALL_CREDIT_MAX_S } from '../../../src/core/session.js';
import { makeConfig } from '../../helpers/harness.js';
import { FakeConnection } from '../../helpers/fake-conn.js';
import { msgs } from './util.js';
import { closedBy } from '../../helpers/codes.js';

const TICK = 1000;

function setup(flood: Record<string, unknown>): { server: IrcServer; clock: { now: number }; client(nick: string): FakeConnection } {
  const clock = { now: 1_700_000_000_000 };
  const config = makeConfig({ flood: { enabled: true, linesPerSecond: 5, burst: 20, maxQueued: 10, ...flood } });
  const server = new IrcServer(config, pino({ level: 'silent' }), { now: () => clock.now, tickMs: TICK });
  return {
    server,
    clock,
    client(nick) {
      const c = new FakeConnection();
      server.accept(c);
      c.recv('NICK ' + nick);
      c.recv(`USER ${nick} 0 * :${nick}`);
      assert.ok(c.take().some((l) => / 001 /.test(l)), 'registered');
      // registration used part of the bucket: let it refill, ticking on time (no stall)
      for (let i = 0; i < 10; i++) {
        clock.now += TICK;
        server.housekeeping();
      }
      return c;
    },
  };
}

const pongs = (c: FakeConnection): number => msgs(c.take(), 'PONG').length;

test('a person typing 1 line/s through a 40 s stall is not cut off (the lines arrive at once)', async () => {
  const { server, clock, client } = setup({});
  const c = client('typist');
  server.housekeeping(); // the last tick before the stall
  clock.now += 40_000; // the event loop is blocked; the kernel buffers what is typed
  // the stall ends: 40 lines (more than burst + maxQueued = 30) come in one read,
  // before the overdue tick has run
  for (let i = 0; i < 40; i++) c.recv('PING :t' + i);
  assert.equal(c.closed, false, c.closeLine);
  assert.equal(pongs(c), 40);
  await server.shutdown('over');
});

test('the stall is also credited when its late tick ran before the lines were read', async () => {
  const { server, clock, client } = setup({});
  const c = client('typist');
  server.housekeeping();
  clock.now += 40_000;
  server.housekeeping(); // the tick came 39 s late: recorded
  for (let i = 0; i < 40; i++) c.recv('PING :t' + i);
  assert.equal(c.closed, false, c.closeLine);
  assert.equal(pongs(c), 40);
  await server.shutdown('over');
});

test('without a stall, the same 40 lines at once are a flood: Excess Flood', async () => {
  const { server, clock, client } = setup({});
  const c = client('flooder');
  for (let i = 0; i < 40; i++) {
    server.housekeeping(); // ticks on time: no stall
    clock.now += 10;
    c.recv('PING :t' + i);
  }
  assert.ok(c.closed);
  assert.match(c.closeLine ?? '', closedBy('TINCAN_ERR_FLOOD'));
  await server.shutdown('over');
});

test('a real flood through a stall is still cut: the credit is the stalled time at the configured rate', async () => {
  const { server, clock, client } = setup({});
  const c = client('flooder');
  const bystander = client('bystander');
  server.housekeeping();
  clock.now += 40_000;
  // 40 s at 5 lines/s is ~195 lines of credit, + burst 20 + queue 10
  let sent = 0;
  while (!c.closed && sent < 1000) c.recv('PING :f' + sent++);
  assert.ok(c.closed);
  assert.match(c.closeLine ?? '', closedBy('TINCAN_ERR_FLOOD'));
  assert.ok(sent > 200 && sent < 240, `cut after ${sent} lines`);
  // the bystander's own backlog from the same stall is credited separately
  for (let i = 0; i < 40; i++) bystander.recv('PING :b' + i);
  assert.equal(bystander.closed, false);
  await server.shutdown('over');
});

test('a stall is credited once: a second burst right after is judged normally', async () => {
  const { server, clock, client } = setup({});
  const c = client('typist');
  server.housekeeping();
  clock.now += 40_000;
  for (let i = 0; i < 40; i++) c.recv('PING :t' + i);
  server.housekeeping();
  assert.equal(c.closed, false);
  let sent = 0;
  while (!c.closed && sent < 1000) c.recv('PING :again' + sent++);
  // what is left of the credit (~155 lines) + the queue, not another 40 s worth
  assert.ok(c.closed && sent < 200, `cut after ${sent} lines`);
  await server.shutdown('over');
});

test(`the credit is capped at ${STALL_CREDIT_MAX_S} s worth of lines, however long the stall`, async () => {
  const { server, clock, client } = setup({});
  const c = client('typist');
  server.housekeeping();
  clock.now += 3600_000;
  let sent = 0;
  while (!c.closed && sent < 10_000) c.recv('PING :t' + sent++);
  const most = 20 + 5 * STALL_CREDIT_MAX_S + 10 + 1;
  assert.ok(c.closed && sent <= most && sent > most - 5, `cut after ${sent} lines`);
  await server.shutdown('over');
});

test('the flood queue is bounded in bytes (flood.maxQueuedBytes): Excess Flood', async () => {
  assert.equal(DEFAULT_CONFIG.flood.maxQueuedBytes, 64 * 1024);
  const { server, client } = setup({ burst: 2, maxQueued: 100_000, maxQueuedBytes: 4096 });
  const c = client('paster');
  const line = 'PRIVMSG #nowhere :' + 'x'.repeat(400 - 18); // 400 bytes
  let sent = 0;
  while (!c.closed && sent < 1000) {
    c.recv(line);
    sent++;
  }
  assert.ok(c.closed);
  assert.match(c.closeLine ?? '', closedBy('TINCAN_ERR_FLOOD'));
  // 2 handled from the bucket, 10 lines (4000 bytes) queued, the 13th is over 4096
  assert.equal(sent, 13);
  await server.shutdown('over');
});

test('queued bytes are released as the queue drains (on the injected clock)', async () => {
  const { server, clock, client } = setup({ linesPerSecond: 10, burst: 2, maxQueued: 100_000, maxQueuedBytes: 4096 });
  const c = client('typist');
  const line = 'PING :' + 'y'.repeat(394); // 400 bytes
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 10; i++) c.recv(line); // fills the queue to 4000 bytes at most
    assert.equal(c.closed, false, `round ${round}`);
    clock.now += 2000;
    await new Promise((r) => setImmediate(r));
    // the drain timer runs on real time; the bucket on the server's clock
    while (pongs(c) === 0 && !c.closed) await new Promise((r) => setTimeout(r, 5));
    c.take();
  }
  await server.shutdown('over');
});

test('TokenBucket.credit: tokens above the burst are kept until spent, not refilled', () => {
  let t = 0;
  const b = new TokenBucket(1, 2, () => t);
  assert.ok(b.take() && b.take() && !b.take());
  b.credit(5);
  t += 10_000;
  let n = 0;
  while (b.take()) n++;
  assert.equal(n, 5, 'the credit is spent first; refill never pushes past the burst');
  t += 1000;
  assert.ok(b.take() && !b.take());
});
