// History during a storage outage: a real SQLite database made "full" (max_page_count),
// retried in bounded batches on an injected timer, users told once, bounded backlog,
// and a clean shutdown while paused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { History, type RetryTimers } from '../../../src/core/history.js';
import { encodedSize } from '../../../src/storage/event-codec.js';
import { IrcServer } from '../../../src/core/server.js';
import { SqliteStorage } from '../../../src/storage/sqlite/sqlite-storage.js';
import { MemoryStorage } from '../../../src/storage/memory/memory-storage.js';
import type { Storage } from '../../../src/storage/types.js';
import { FakeConnection } from '../../helpers/fake-conn.js';
import { makeConfig } from '../../helpers/harness.js';
import { msgs } from '../core/util.js';

/** A retry timer the test fires by hand; remembers the delays asked for. */
class ManualTimers implements RetryTimers {
  armed: { fn: () => void; ms: number } | null = null;
  delays: number[] = [];
  setTimeout(fn: () => void, ms: number): unknown {
    assert.equal(this.armed, null, 'at most one retry timer at a time');
    this.armed = { fn, ms };
    this.delays.push(ms);
    return this.armed;
  }
  clearTimeout(h: unknown): void {
    if (h === this.armed) this.armed = null;
  }
  fire(): void {
    const a = this.armed;
    assert.ok(a !== null, 'a retry is armed');
    this.armed = null;
    a.fn();
  }
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await turn();
  }
}

interface Setup {
  srv: IrcServer;
  history: History;
  timers: ManualTimers;
  logs: { msg: string; [k: string]: unknown }[];
  client(nick: string, ...rooms: string[]): FakeConnection;
}

function setup(storage: Storage, opts: { maxBufferedBytes?: number; retryBatch?: number } = {}): Setup {
  const logs: Setup['logs'] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void logs.push(JSON.parse(s) as Setup['logs'][number]) });
  const timers = new ManualTimers();
  const history = new History({ storage, logger, timers, ...opts });
  const now = { t: 1_700_000_000_000 };
  const srv = new IrcServer(makeConfig(), logger, { now: () => now.t++, tickMs: 3_600_000, history });
  return {
    srv,
    history,
    timers,
    logs,
    client(nick, ...rooms) {
      const c = new FakeConnection();
      srv.accept(c);
      c.recv('NICK ' + nick);
      c.recv(`USER ${nick} 0 * :${nick}`);
      for (const r of rooms) c.recv('JOIN ' + r);
      c.take();
      return c;
    },
  };
}

const paused = (c: FakeConnection): number => msgs(c.lines, 'NOTICE').filter((m) => /History is paused/.test(m.params[1]!)).length;
const resumed = (c: FakeConnection): number => msgs(c.lines, 'NOTICE').filter((m) => /History resumed/.test(m.params[1]!)).length;
const stored = (s: SqliteStorage): string[] =>
  (s.db.prepare("SELECT params FROM events WHERE command = 'PRIVMSG' ORDER BY id").pluck().all() as string[]).map((p) => (JSON.parse(p) as string[])[1]!);
const pad = 'x'.repeat(200);

function tmpDb(): { file: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-outage-'));
  return { file: join(dir, 'tincan.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('disk full: one "paused" per user, bounded batches save what fits, one "resumed", nothing delivered is lost', async () => {
  const db = tmpDb();
  const storage = new SqliteStorage(db.file);
  const t = setup(storage, { retryBatch: 50 });
  try {
    const alice = t.client('alice', '#a');
    const bob = t.client('bob', '#a', '#b');
    const dave = t.client('dave', '#a', '#b');
    const carol = t.client('carol', '#c');
    await turn();
    storage.limitPages(1); // no room beyond what the file has now
    const sent: string[] = [];
    for (let i = 0; i < 300; i++) {
      const text = `m${i} ${pad}`;
      (i % 2 === 0 ? bob : dave).recv(`PRIVMSG ${i % 3 === 0 ? '#b' : '#a'} :${text}`);
      sent.push(text);
      await turn();
    }
    assert.equal(t.history.failing, true);
    const before = stored(storage).length;
    assert.ok(before < 300 && t.history.pending === 300 - before, `some events wait: stored ${before}, pending ${t.history.pending}`);
    // every line was delivered anyway
    assert.equal(msgs(alice.lines, 'PRIVMSG').length, sent.filter((_, i) => i % 3 !== 0).length);
    await turn();
    assert.deepEqual([alice, bob, dave, carol].map(paused), [1, 1, 1, 0], 'one notice per affected user, none elsewhere');
    assert.match(msgs(alice.lines, 'NOTICE').find((m) => /paused/.test(m.params[1]!))!.params[1]!, /disk is full/);

    // still full: a single one-event attempt, then the delay doubles
    assert.equal(t.timers.armed!.ms, 250);
    t.timers.fire();
    await until(() => t.timers.armed !== null, 'the next retry');
    assert.equal(t.timers.armed!.ms, 500);
    assert.equal(stored(storage).length, before);

    // a little room: the oldest events that fit go in; the backoff restarts
    storage.limitPages(storage.pageCount() + 4);
    t.timers.fire();
    await until(() => t.timers.armed !== null, 'the retry after a partial save');
    const partial = stored(storage);
    assert.ok(partial.length > before && partial.length < 300, `partly saved: ${before} -> ${partial.length}`);
    assert.deepEqual(partial, sent.slice(0, partial.length), 'oldest first, in order');
    assert.equal(t.timers.armed!.ms, 250);
    assert.equal(t.history.failing, true);

    // room again: everything else, then one "resumed" for those who were told
    storage.limitPages(null);
    t.timers.fire();
    await until(() => !t.history.failing, 'recovery');
    assert.deepEqual(stored(storage), sent, 'every delivered line is stored, in order');
    assert.equal(t.history.pending, 0);
    assert.deepEqual([alice, bob, dave, carol].map(paused), [1, 1, 1, 0]);
    assert.deepEqual([alice, bob, dave, carol].map(resumed), [1, 1, 1, 0]);
    assert.equal(t.timers.armed, null);

    // back to normal: the next line commits in its own turn
    bob.recv('PRIVMSG #a :after');
    await turn();
    assert.equal(stored(storage).at(-1), 'after');
    assert.equal(t.history.dropped, 0);
  } finally {
    await t.srv.shutdown('done');
    db.cleanup();
  }
});

test('a second outage gets its own single "paused" and "resumed"; a late joiner is told too', async () => {
  const storage = new MemoryStorage();
  const t = setup(storage);
  try {
    const alice = t.client('alice', '#a');
    for (let round = 1; round <= 2; round++) {
      storage.history.failWith = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      for (let i = 0; i < 5; i++) alice.recv(`PRIVMSG #a :r${round} ${i}`);
      await turn();
      const late = t.client('late' + round, '#a');
      await turn();
      assert.equal(paused(alice), round);
      assert.equal(paused(late), 1, 'a user who joins during the outage is told');
      storage.history.failWith = null;
      t.timers.fire();
      await until(() => !t.history.failing, 'recovery');
      assert.equal(resumed(alice), round);
      assert.equal(resumed(late), 1);
    }
  } finally {
    await t.srv.shutdown('done');
  }
});

test('the backlog is bounded in bytes: the oldest are dropped, counted and logged once; the rest are saved', async () => {
  const storage = new MemoryStorage();
  // the server's msgids here: an 8-character prefix and a base-36 counter
  const sample = { target: '#a', msgid: 'x'.repeat(10), time: 0, command: 'PRIVMSG' as const, source: 'alice!~alice@127.0.0.1', params: ['#a', 'n00 ' + pad], tags: '' };
  const t = setup(storage, { maxBufferedBytes: encodedSize(sample) * 20 + 10 });
  try {
    const alice = t.client('alice', '#a');
    await turn();
    storage.history.failWith = new Error('disk on fire');
    for (let i = 0; i < 50; i++) alice.recv(`PRIVMSG #a :n${String(i).padStart(2, '0')} ${pad}`);
    await turn();
    assert.ok(t.history.pendingBytes <= encodedSize(sample) * 20 + 10, `bounded: ${t.history.pendingBytes}`);
    assert.equal(t.history.pending, 20);
    assert.equal(t.history.dropped, 30);
    assert.equal(t.logs.filter((l) => /dropping the oldest/.test(l.msg)).length, 1, 'logged once per outage, not per event');
    storage.history.failWith = null;
    t.timers.fire();
    await until(() => !t.history.failing, 'recovery');
    const kept = await storage.history.range({ target: '#a', after: null, before: null, from: 'oldest', limit: 100, kinds: 'messages' });
    assert.deepEqual(kept.map((e) => e.params[1]!.slice(0, 3)), Array.from({ length: 20 }, (_, i) => 'n' + (30 + i)));
    assert.match(msgs(alice.lines, 'NOTICE').find((m) => /resumed/.test(m.params[1]!))!.params[1]!, /oldest 30/);
  } finally {
    await t.srv.shutdown('done');
  }
});

test('clean shutdown while paused: what fits is saved, what did not is logged; the retry timer is cleared', async () => {
  const db = tmpDb();
  const storage = new SqliteStorage(db.file);
  const t = setup(storage);
  try {
    const bob = t.client('bob', '#a');
    await turn();
    storage.limitPages(1);
    const sent: string[] = [];
    for (let i = 0; i < 200; i++) {
      sent.push(`s${i} ${pad}`);
      bob.recv(`PRIVMSG #a :${sent[i]}`);
      await turn();
    }
    assert.equal(t.history.failing, true);
    assert.notEqual(t.timers.armed, null);
    storage.limitPages(storage.pageCount() + 4);
    const pending = t.history.pending;
    await t.srv.shutdown('bye');
    assert.equal(t.timers.armed, null, 'retry timer cleared on close');
    const line = t.logs.find((l) => /at shutdown/.test(l.msg));
    assert.ok(line !== undefined, 'the loss is logged');
    const again = new SqliteStorage(db.file);
    try {
      const kept = stored(again);
      assert.ok(line['saved'] as number > 0, 'some of the backlog fitted');
      // nothing joins the backlog at shutdown (no QUIT is fanned out or recorded then)
      assert.equal((line['saved'] as number) + (line['lost'] as number), pending);
      assert.deepEqual(kept, sent.slice(0, kept.length), 'the oldest were saved, in order');
      assert.equal(kept.length, sent.length - (line['lost'] as number));
      assert.match(line.msg, /full at shutdown: saved \d+ of \d+ buffered event\(s\); \d+ lost/);
      assert.deepEqual(line['channels'], ['#a']);
    } finally {
      await again.close();
    }
  } finally {
    db.cleanup();
  }
});
