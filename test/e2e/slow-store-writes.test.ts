/**
 * Account and sanction writes go through the SQLite writer (issue 17): with the writer
 * thread, a REGISTER or a ban whose commit takes a second (an injected slow disk,
 * testHooks.execDelayMs) delays nobody else's messages. The control runs the same slow
 * commit on the main thread (the inline writer) and shows the round trip measured here
 * does see it, so the bound below is not one that could never fail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { IrcServer } from '../../src/core/server.js';
import { History } from '../../src/core/history.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { startTcpListener } from '../../src/transports/tcp.js';
import { makeConfig } from '../helpers/harness.js';
import { RawClient } from '../helpers/raw-client.js';

/**
 * A commit that takes a second: long against the scheduling noise of a loaded 2-core
 * machine (round trips of 100-300 ms were seen there with nothing blocking the loop),
 * so the bound can be half of it and still never be reached by noise alone.
 */
const SLOW_MS = 1000;
/** a round trip on loopback is ~1 ms; one that waited for a commit on the event loop takes SLOW_MS */
const BOUND_MS = SLOW_MS / 2;

async function setup(writer: 'thread' | 'inline') {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-slowstore-'));
  const logger = pino({ level: process.env['TINCAN_TEST_LOG'] ?? 'silent' });
  const storage = new SqliteStorage(join(dir, 'tincan.db'), { writer, testHooks: { execDelayMs: SLOW_MS } });
  await storage.ready();
  const history = new History({ storage, logger });
  const server = new IrcServer(makeConfig({ accounts: { scramIterations: 4096 } }), logger, { tickMs: 200, history, accounts: storage.accounts });
  const listener = await startTcpListener({ host: '127.0.0.1', port: 0, config: () => server.config, logger, onConnection: (c) => server.accept(c) });
  const port = listener.address().port;
  const clients: RawClient[] = [];
  const client = async (nick: string, room?: string): Promise<RawClient> => {
    const c = await RawClient.connect(port);
    clients.push(c);
    await c.register(nick);
    if (room !== undefined) {
      c.send('JOIN ' + room);
      await c.waitFor(new RegExp(` 366 ${nick} `));
    }
    return c;
  };
  /**
   * alice -> bob round trips, one after another, until `done()`; each one's time (ms).
   * At least `min` of them, so the measurement covers the write even if it is fast.
   */
  const roundTrips = async (alice: RawClient, bob: RawClient, done: () => boolean, min: number): Promise<number[]> => {
    const times: number[] = [];
    const end = Date.now() + 15_000;
    for (let i = 0; (!done() || i < min) && Date.now() < end; i++) {
      const from = bob.lines.length;
      const t0 = performance.now();
      alice.send(`PRIVMSG #a :ping ${i}`);
      await bob.waitFor(new RegExp(`PRIVMSG #a :ping ${i}$`), 5000, from);
      times.push(performance.now() - t0);
    }
    return times;
  };
  const done = async (): Promise<void> => {
    for (const c of clients) c.socket.destroy();
    await server.shutdown('done');
    await listener.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { storage, server, client, roundTrips, done };
}

const sanctionRows = (s: SqliteStorage): number => s.db.prepare('SELECT COUNT(*) FROM sanctions').pluck().get() as number;
const accountRows = (s: SqliteStorage): number => s.db.prepare('SELECT COUNT(*) FROM accounts').pluck().get() as number;

test('with the writer thread, a REGISTER and a ban whose commits take 1 s delay no one else: round trips stay under 0.5 s', { timeout: 30_000 }, async () => {
  const t = await setup('thread');
  try {
    const alice = await t.client('alice', '#a');
    const bob = await t.client('bob', '#a');
    const carol = await t.client('carol');

    // REGISTER: hashing in the thread pool, then the insert, committed in SLOW_MS
    const t0 = performance.now();
    let registered = false;
    carol.send('REGISTER * * :correct horse battery');
    void carol.waitFor(/ REGISTER SUCCESS /, 10_000).then(() => (registered = true));
    const during = await t.roundTrips(alice, bob, () => registered, 5);
    const took = performance.now() - t0;
    assert.ok(registered, 'REGISTER succeeded');
    assert.equal(accountRows(t.storage), 1);
    assert.ok(took >= SLOW_MS, `the REGISTER took ${took.toFixed(0)} ms: the slow commit was in its path`);
    // the round trips covered the slow commit: they span at least most of it
    assert.ok(during.reduce((a, b) => a + b, 0) >= SLOW_MS * 0.75, `round trips cover ${during.length} x`);
    assert.ok(Math.max(...during) < BOUND_MS, `round trips during REGISTER: max ${Math.max(...during).toFixed(1)} ms (${during.length} of them; slow: ${during.map((d, i) => [i, Math.round(d)]).filter(([, d]) => d! > 20).join(" ")})`);

    // a server-wide ban of someone else, written while alice and bob talk
    assert.equal(sanctionRows(t.storage), 0);
    const s0 = performance.now();
    const added = t.server.admin.sanctions.add({ kind: 'ban', scope: '*', target: 'mallory!*@*', reason: 'test', setBy: 'the host', setAt: Date.now(), expiresAt: null });
    assert.notEqual(typeof added, 'string');
    const whileBan = await t.roundTrips(alice, bob, () => sanctionRows(t.storage) === 1, 5);
    assert.equal(sanctionRows(t.storage), 1);
    assert.ok(performance.now() - s0 >= SLOW_MS, 'the ban was committed only after the slow commit');
    assert.ok(Math.max(...whileBan) < BOUND_MS, `round trips during the ban's commit: max ${Math.max(...whileBan).toFixed(1)} ms`);
  } finally {
    await t.done();
  }
});

test('control: the same slow commit on the main thread (inline writer) does delay other users beyond the bound', { timeout: 30_000 }, async () => {
  const t = await setup('inline');
  try {
    const alice = await t.client('alice', '#a');
    const bob = await t.client('bob', '#a');
    const carol = await t.client('carol');
    let registered = false;
    carol.send('REGISTER * * :correct horse battery');
    void carol.waitFor(/ REGISTER SUCCESS /, 10_000).then(() => (registered = true));
    const during = await t.roundTrips(alice, bob, () => registered, 5);
    assert.ok(registered);
    assert.ok(Math.max(...during) >= BOUND_MS, `a round trip was held by the commit on the event loop: max ${Math.max(...during).toFixed(1)} ms`);
  } finally {
    await t.done();
  }
});
