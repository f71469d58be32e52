/**
 * The SQLite history store's writer thread, over real sockets: a commit that does not
 * finish (a slow disk, held by a test gate inside the write transaction) stalls nobody's
 * delivery; a write thread that dies is reported, retried and loses nothing; and with a
 * real `tincan serve` killed with -9, everything a client was answered about by a read
 * (CHATHISTORY) is stored, and what kill -9 loses is only the newest lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { IrcServer } from '../../src/core/server.js';
import { History } from '../../src/core/history.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { startTcpListener } from '../../src/transports/tcp.js';
import { makeConfig } from '../helpers/harness.js';
import { RawClient } from '../helpers/raw-client.js';
import { ManualTimers } from '../helpers/manual-timers.js';
import { spawnServe } from '../helpers/cli-server.js';

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 10000;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const CH_CAPS = ['batch', 'server-time', 'message-tags', 'draft/chathistory'];
const lineNums = (c: RawClient, room: string): number[] =>
  c.lines.filter((l) => new RegExp(` PRIVMSG ${room} :line \\d+$`).test(l)).map((l) => Number(/line (\d+)$/.exec(l)![1]));

async function inProcess(hooks: { commitGate: Int32Array }, maxBufferedBytes?: number) {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-hworker-'));
  const logger = pino({ level: process.env['TINCAN_TEST_LOG'] ?? 'silent' });
  const storage = new SqliteStorage(join(dir, 'tincan.db'), { writer: 'thread', testHooks: hooks });
  const timers = new ManualTimers();
  const history = new History({ storage, logger, timers, ...(maxBufferedBytes === undefined ? {} : { maxBufferedBytes }) });
  const server = new IrcServer(makeConfig({ history: { maxQuery: 1000 } }), logger, { tickMs: 200, history });
  const listener = await startTcpListener({ host: '127.0.0.1', port: 0, config: () => server.config, logger, onConnection: (c) => server.accept(c) });
  const port = listener.address().port;
  const clients: RawClient[] = [];
  const join_ = async (nick: string, room: string, caps: string[] = []): Promise<RawClient> => {
    const c = await RawClient.connect(port);
    clients.push(c);
    await c.register(nick, caps);
    c.send('JOIN ' + room);
    await c.waitFor(new RegExp(` 366 ${nick} `));
    return c;
  };
  const storedCount = (room: string): number =>
    storage.db.prepare("SELECT COUNT(*) FROM events WHERE target = ? AND command = 'PRIVMSG'").pluck().get(room) as number;
  const done = async (): Promise<void> => {
    for (const c of clients) c.socket.destroy();
    await server.shutdown('done');
    await listener.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { storage, history, timers, join: join_, storedCount, done };
}

test('a commit that does not finish stalls no delivery: lines arrive while it is pending, and are stored once it is done', { timeout: 30000 }, async () => {
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const t = await inProcess({ commitGate: gate });
  try {
    const alice = await t.join('alice', '#a');
    const bob = await t.join('bob', '#a');
    const carol = await t.join('carol', '#c');
    const dave = await t.join('dave', '#c');
    await until(() => !t.history.committing && t.history.pending === 0, 'the joins to be committed');
    Atomics.store(gate, 0, 1); // the disk "hangs" inside the next commit, before COMMIT

    alice.send('PRIVMSG #a :line 1');
    await bob.waitFor(/PRIVMSG #a :line 1$/);
    await until(() => t.storage.writesInFlight > 0, 'the commit to be handed to the writer');
    // one after another, each after the previous arrived: every round trip happens
    // while that first commit is still held
    for (let i = 2; i <= 20; i++) {
      alice.send(`PRIVMSG #a :line ${i}`);
      await bob.waitFor(new RegExp(`PRIVMSG #a :line ${i}$`));
      carol.send(`PRIVMSG #c :line ${i}`);
      await dave.waitFor(new RegExp(`PRIVMSG #c :line ${i}$`));
    }
    assert.equal(t.history.committing, true, 'the first commit is still pending');
    assert.equal(t.storedCount('#a'), 0, 'nothing of it is committed yet');
    assert.deepEqual(lineNums(bob, '#a'), Array.from({ length: 20 }, (_, i) => i + 1), 'yet every line was delivered, in order');
    assert.ok(t.history.pending > 0, 'the lines sent meanwhile wait for the next commit');

    Atomics.store(gate, 0, 0);
    Atomics.notify(gate, 0);
    await until(() => !t.history.committing && t.history.pending === 0, 'the backlog to be committed');
    assert.equal(t.storedCount('#a'), 20);
    assert.equal(t.storedCount('#c'), 19);
    const late = await t.join('late', '#a', CH_CAPS);
    late.send('CHATHISTORY LATEST #a * 100');
    await late.waitFor(/BATCH -/);
    assert.deepEqual(
      late.lines.filter((l) => /batch=/.test(l) && /PRIVMSG #a :line \d+$/.test(l)).map((l) => Number(/line (\d+)$/.exec(l)![1])),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  } finally {
    Atomics.store(gate, 0, 0);
    Atomics.notify(gate, 0);
    await t.done();
  }
});

test('while the writer is stuck, the lines waiting for it are bounded in bytes: the oldest unsaved go, delivery goes on', { timeout: 30000 }, async () => {
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const t = await inProcess({ commitGate: gate }, 8192);
  try {
    const alice = await t.join('alice', '#a');
    const bob = await t.join('bob', '#a');
    await until(() => !t.history.committing && t.history.pending === 0, 'the joins to be committed');
    Atomics.store(gate, 0, 1);
    alice.send('PRIVMSG #a :line 1');
    await until(() => t.storage.writesInFlight > 0, 'line 1 in the writer');
    const pad = 'z'.repeat(200);
    for (let i = 2; i <= 100; i += 11) {
      let burst = '';
      for (let j = i; j < i + 11 && j <= 100; j++) burst += `PRIVMSG #a :line ${j} ${pad}\r\n`;
      alice.socket.write(burst);
      await bob.waitFor(new RegExp(`PRIVMSG #a :line ${Math.min(i + 10, 100)} `));
    }
    assert.equal(bob.lines.filter((l) => / PRIVMSG #a :line \d+/.test(l)).length, 100, 'every line delivered');
    assert.ok(t.history.pendingBytes <= 8192, `waiting lines bounded: ${t.history.pendingBytes} bytes`);
    assert.ok(t.history.dropped > 0, 'the oldest unsaved were dropped, and counted');
    Atomics.store(gate, 0, 0);
    Atomics.notify(gate, 0);
    await until(() => !t.history.committing && t.history.pending === 0, 'the rest to be committed');
    const kept = t.storage.db.prepare("SELECT params FROM events WHERE command = 'PRIVMSG' ORDER BY id").pluck().all() as string[];
    const nums = kept.map((p) => Number(/line (\d+)/.exec((JSON.parse(p) as string[])[1]!)![1]));
    assert.equal(nums[0], 1, 'the commit in flight was kept');
    assert.equal(nums.length, 100 - t.history.dropped);
    assert.deepEqual(nums.slice(1), Array.from({ length: nums.length - 1 }, (_, i) => 100 - (nums.length - 2) + i), 'then the newest, in order');
  } finally {
    Atomics.store(gate, 0, 0);
    Atomics.notify(gate, 0);
    await t.done();
  }
});

test('a write thread that dies is reported; what it had not acknowledged is retried and nothing is lost', { timeout: 30000 }, async () => {
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const t = await inProcess({ commitGate: gate });
  try {
    const alice = await t.join('alice', '#a');
    const bob = await t.join('bob', '#a');
    await until(() => !t.history.committing && t.history.pending === 0, 'the joins to be committed');
    Atomics.store(gate, 0, 1);
    for (let i = 1; i <= 5; i++) alice.send(`PRIVMSG #a :line ${i}`);
    await bob.waitFor(/PRIVMSG #a :line 5$/);
    await until(() => t.storage.writesInFlight > 0, 'a commit in the writer');
    await t.storage.killWriter(); // dies with that commit unfinished
    await bob.waitFor(/NOTICE bob :\*\*\* History is paused/);
    assert.equal(t.history.failing, true);
    for (let i = 6; i <= 10; i++) alice.send(`PRIVMSG #a :line ${i}`);
    await bob.waitFor(/PRIVMSG #a :line 10$/);
    assert.equal(t.storedCount('#a'), 0);

    Atomics.store(gate, 0, 0);
    await until(() => t.timers.armed !== null, 'the retry');
    t.timers.fire(); // a new write thread takes the backlog
    await bob.waitFor(/NOTICE bob :\*\*\* History resumed: the messages sent while it was paused are saved/);
    assert.equal(t.history.failing, false);
    const stored = t.storedCount('#a');
    assert.equal(stored, 10, 'every line, once');
  } finally {
    Atomics.store(gate, 0, 0);
    Atomics.notify(gate, 0);
    await t.done();
  }
});

test('kill -9 of tincan serve: everything before an answered CHATHISTORY is stored; later losses are only the newest lines', { timeout: 40000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-hworker-kill-'));
  const cfg = join(dir, 'tincan.yaml');
  writeFileSync(cfg, 'flood: { enabled: false }\nhistory: { maxQuery: 5000 }\n');
  const args = ['--host', '127.0.0.1', '--port', '0', '--config', cfg, '--data', join(dir, 'data')];
  const clients: RawClient[] = [];
  const client = async (port: number, nick: string): Promise<RawClient> => {
    const c = await RawClient.connect(port);
    clients.push(c);
    await c.register(nick, CH_CAPS);
    c.send('JOIN #k');
    await c.waitFor(new RegExp(` 366 ${nick} #k `));
    return c;
  };
  const first = await spawnServe(args);
  try {
    const sender = await client(first.port, 'sender');
    const reader = await client(first.port, 'reader');
    let burst = '';
    for (let i = 1; i <= 1000; i++) burst += `PRIVMSG #k :line ${i}\r\n`;
    sender.socket.write(burst);
    await reader.waitFor(/PRIVMSG #k :line 1000$/, 15000);
    // a read is answered only after the commits pending when it was asked
    reader.send('CHATHISTORY LATEST #k * 1');
    await reader.waitFor(/BATCH -/, 10000);
    // more lines, and kill -9 as soon as the reader has them
    burst = '';
    for (let i = 1001; i <= 2000; i++) burst += `PRIVMSG #k :line ${i}\r\n`;
    sender.socket.write(burst);
    await reader.waitFor(/PRIVMSG #k :line 2000$/, 15000);
    first.proc.kill('SIGKILL');
    await new Promise((r) => first.proc.once('exit', r));

    const second = await spawnServe(args);
    try {
      const c = await client(second.port, 'checker');
      c.send('CHATHISTORY LATEST #k * 5000');
      await c.waitFor(/BATCH -/, 10000);
      const stored = c.lines.filter((l) => /batch=/.test(l) && /PRIVMSG #k :line \d+$/.test(l)).map((l) => Number(/line (\d+)$/.exec(l)![1]));
      const n = stored.length;
      assert.ok(n >= 1000, `the 1000 lines before the answered read are stored (got ${n})`);
      assert.deepEqual(stored, Array.from({ length: n }, (_, i) => i + 1), 'stored = a prefix of what was sent: no gaps, nothing out of order');
    } finally {
      second.proc.kill('SIGKILL');
    }
  } finally {
    for (const c of clients) c.socket.destroy();
    first.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the write thread runs at the lowest priority (nice 19), the event loop at the process default', { skip: process.platform !== 'linux' && 'reads /proc (Linux)' }, async () => {
  const { readFileSync } = await import('node:fs');
  const { WRITER_NICE } = await import('../../src/storage/sqlite/writer.js');
  const { threadNice, niceOfStat } = await import('../helpers/threads.js');
  const threads = (): Map<number, number> => threadNice();
  const before = new Set(threads().keys());
  const dir = mkdtempSync(join(tmpdir(), 'tincan-hnice-'));
  const storage = new SqliteStorage(join(dir, 'tincan.db'), { writer: 'thread' });
  try {
    await storage.ready();
    // a thread this storage started (not there before) at the writer's nice value
    await until(() => [...threads()].some(([tid, n]) => !before.has(tid) && n === WRITER_NICE), 'a new thread at nice 19');
    assert.equal(WRITER_NICE, 19);
    assert.notEqual(niceOfStat(readFileSync('/proc/self/stat', 'utf8')), WRITER_NICE, 'the event loop keeps its priority');
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
