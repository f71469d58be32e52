/**
 * Disk full, end to end over real sockets: a real SQLite history database is made full
 * (max_page_count) while people talk, then given a little room, then all of it. Clients
 * keep getting every line; the members of the room get one "paused" and one "resumed"
 * NOTICE; afterwards CHATHISTORY holds every line anyone saw. The retry timer is the
 * test's, so the backoff is driven step by step instead of waited for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { IrcServer } from '../../src/core/server.js';
import { History } from '../../src/core/history.js';
import { openStorage } from '../../src/storage/open.js';
import type { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { startTcpListener } from '../../src/transports/tcp.js';
import { makeConfig } from '../helpers/harness.js';
import { RawClient } from '../helpers/raw-client.js';
import { ManualTimers } from '../helpers/manual-timers.js';

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 10000;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setImmediate(r));
  }
}

const count = (c: RawClient, re: RegExp): number => c.lines.filter((l) => re.test(l)).length;

test('disk full and back: every line clients saw is in history, one "paused" and one "resumed" per member', { timeout: 30000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-diskfull-'));
  const logger = pino({ level: process.env['TINCAN_TEST_LOG'] ?? 'silent' });
  const storage = (await openStorage('sqlite', dir)) as SqliteStorage;
  const timers = new ManualTimers();
  const history = new History({ storage, logger, timers, retryBatch: 40 });
  const server = new IrcServer(makeConfig({ history: { maxQuery: 1000 } }), logger, { tickMs: 200, history });
  const listener = await startTcpListener({ host: '127.0.0.1', port: 0, config: () => server.config, logger, onConnection: (c) => server.accept(c) });
  const port = listener.address().port;
  const clients: RawClient[] = [];
  const client = async (nick: string, room: string, caps: string[] = []): Promise<RawClient> => {
    const c = await RawClient.connect(port);
    clients.push(c);
    await c.register(nick, caps);
    c.send('JOIN ' + room);
    await c.waitFor(new RegExp(` 366 ${nick} `));
    return c;
  };
  try {
    const alice = await client('alice', '#a');
    const bob = await client('bob', '#a');
    const carol = await client('carol', '#c');
    await storage.limitPages(1);

    const N = 150;
    const pad = 'y'.repeat(300);
    for (let i = 1; i <= N; i += 10) {
      let burst = '';
      for (let j = i; j < i + 10; j++) burst += `PRIVMSG #a :line ${j} ${pad}\r\n`;
      bob.socket.write(burst);
      await alice.waitFor(new RegExp(`PRIVMSG #a :line ${i + 9} `));
    }
    assert.equal(count(alice, /PRIVMSG #a :line \d+ /), N, 'delivery never stalled');
    assert.equal(history.failing, true);
    await alice.waitFor(/NOTICE alice :\*\*\* History is paused: the server's disk is full/);
    await bob.waitFor(/NOTICE bob :\*\*\* History is paused/);

    // a little room: part of the backlog goes in, oldest first, and no new notice
    const stored = (): number => storage.db.prepare("SELECT COUNT(*) FROM events WHERE target = '#a' AND command = 'PRIVMSG'").pluck().get() as number;
    const before = stored();
    await storage.limitPages(storage.pageCount() + 6);
    timers.fire();
    await until(() => timers.armed !== null, 'the next retry');
    const partial = stored();
    assert.ok(partial > before && partial < N, `a partial freeing helps partially: ${before} -> ${partial} of ${N}`);
    assert.equal(history.failing, true);

    // all the room back: the rest goes in and the members hear it once
    await storage.limitPages(null);
    timers.fire();
    await alice.waitFor(/NOTICE alice :\*\*\* History resumed/);
    await bob.waitFor(/NOTICE bob :\*\*\* History resumed/);
    assert.equal(history.failing, false);

    const late = await client('late', '#a', ['batch', 'server-time', 'message-tags', 'draft/chathistory']);
    late.send('CHATHISTORY LATEST #a * 1000');
    await late.waitFor(/BATCH -/);
    const got = late.lines.filter((l) => /batch=/.test(l)).map((l) => /PRIVMSG #a :line (\d+) /.exec(l)?.[1]).filter((x) => x !== undefined).map(Number);
    assert.deepEqual(got, Array.from({ length: N }, (_, i) => i + 1), 'every line anyone saw is in history, in order');

    for (const [c, n] of [[alice, 1], [bob, 1], [carol, 0], [late, 0]] as const) {
      assert.equal(count(c, /History is paused/), n);
      assert.equal(count(c, /History resumed/), n);
    }
  } finally {
    for (const c of clients) c.socket.destroy();
    await server.shutdown('done');
    await listener.close();
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(timers.armed, null, 'no retry timer left');
});
