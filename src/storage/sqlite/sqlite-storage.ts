/**
 * The embedded default store: one SQLite file (better-sqlite3) in the data directory,
 * WAL mode with synchronous=NORMAL. Full-text search is an FTS5 external-content table,
 * indexed in background batches off the append transaction (writer.ts).
 *
 * Writes (appends, indexing, pruning, channel state) go through ONE write connection,
 * either on this thread (`writer: 'inline'`, the default for direct construction: tools,
 * tests) or in a worker thread (`writer: 'thread'`, what open.ts and so `tincan serve`
 * use): then a slow commit, a WAL checkpoint or an indexing batch blocks that thread, not
 * the event loop that delivers messages. Every write's Promise resolves once the worker
 * has committed it (append() still means "committed"). A commit is in the WAL file (the
 * OS page cache) when it resolves, so it survives kill -9; only an OS crash or power loss
 * can lose the last commits, never corrupt the database.
 *
 * Reads (CHATHISTORY, search, channel loading) stay on a read connection on the main
 * thread: WAL lets it read while the worker writes, reads are bounded (LIMIT, maxRows) and
 * usually served from the page cache, and answering them synchronously keeps their code
 * simple; the core asks for them through Session.defer(). Read-your-writes holds because
 * History awaits its pending append() before every read (src/core/history.ts).
 *
 * A dead write thread (crashed, killed) fails the writes in flight (code
 * TINCAN_ERR_HISTORY_WRITER: nothing was acknowledged for them, History keeps and
 * retries them) and the next write starts a new thread.
 */
import Database from 'better-sqlite3';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import { makeDir } from '../data-dir.js';
import { SqliteAccountStore, type Exec } from '../../accounts/sqlite-store.js';
import type {
  AccountStore,
  ChannelState,
  ChannelStore,
  Cursor,
  FileStore,
  HistoryCommand,
  HistoryStore,
  NewEvent,
  PrunePolicy,
  RangeQuery,
  Sanction,
  SanctionStore,
  SearchQuery,
  SearchStats,
  Storage,
  StoredEvent,
  StoredFile,
} from '../types.js';
import { DEFAULT_SEARCH_MAX_ROWS, MAX_ID } from '../types.js';
import { matchesWords, tokenize } from '../search-text.js';
import { migrate } from './migrations.js';
import { INDEX_BATCH, SqliteWriter, runOp, type WriteOp, type WriteReply, type WriterTestHooks } from './writer.js';

interface EventRow {
  id: number;
  target: string;
  time: number;
  msgid: string;
  command: string;
  source: string;
  params: string;
  tags: string;
}

/**
 * With the writer thread, History sends the lines of this many ms as one request: a
 * postMessage and its reply cost ~10-20 us of the event loop each, paid per request
 * (profiled at ~6 % of lat500's busy time when it was one per turn). It is also how
 * much more kill -9 may lose (docs/history.md).
 */
const COMMIT_WINDOW_MS = 5;
/** FTS matches fetched per page when a search walks the index. */
const SEARCH_PAGE = 500;

const COLS = 'id, target, time, msgid, command, source, params, tags';
const MSG = "command IN ('PRIVMSG', 'NOTICE')";
const LOW: Cursor = { time: -MAX_ID, id: 0 };
const HIGH: Cursor = { time: MAX_ID, id: MAX_ID };

function toEvent(r: EventRow): StoredEvent {
  return {
    id: r.id,
    target: r.target,
    time: r.time,
    msgid: r.msgid,
    command: r.command as HistoryCommand,
    source: r.source,
    params: JSON.parse(r.params) as string[],
    tags: r.tags,
  };
}

/** FTS5 query text from parsed words: each a quoted phrase, '*' for prefixes, ANDed. */
function ftsQuery(words: readonly string[]): string {
  return words.map((w) => (w.endsWith('*') ? `"${w.slice(0, -1).replaceAll('"', '""')}"*` : `"${w.replaceAll('"', '""')}"`)).join(' ');
}

export interface SqliteStorageOptions {
  /** runs after the database is closed (open.ts releases the data directory lock there) */
  onClose?: () => void;
  /** where writes run: 'inline' (this thread, the default) or 'thread' (a worker thread) */
  writer?: 'inline' | 'thread';
  /** test only: slow commits (writer.ts) */
  testHooks?: WriterTestHooks;
}

/** The write side as the stores see it: every call resolves once committed. */
interface WriteSide {
  run(op: WriteOp): Promise<number>;
  close(): Promise<void>;
}

/** Writes on this thread: the work is done inside run(), before its Promise is returned. */
class InlineWrites implements WriteSide {
  constructor(readonly writer: SqliteWriter) {}
  run(op: WriteOp): Promise<number> {
    try {
      return Promise.resolve(runOp(this.writer, op));
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }
  async close(): Promise<void> {
    this.writer.finish();
  }
}

/** An Error with SQLite's code, rebuilt from the worker's reply (isStorageFull reads the code). */
function writeError(message: string, code: string | undefined): Error {
  const e = new Error(message) as Error & { code?: string };
  if (code !== undefined) e.code = code;
  return e;
}

/** Writes in a worker thread (write-worker.ts), one request at a time, answered after commit. */
class ThreadWrites implements WriteSide {
  readonly #file: string;
  readonly #hooks: WriterTestHooks;
  #worker: Worker | null = null;
  #nextId = 1;
  /** settles when the current thread has opened the database (or failed to) */
  #started: Promise<void> = Promise.resolve();
  readonly #pending = new Map<number, { resolve: (v: number) => void; reject: (e: Error) => void }>();
  #closed = false;

  constructor(file: string, hooks: WriterTestHooks) {
    this.#file = file;
    this.#hooks = hooks;
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.#pending.size;
  }

  #spawn(): Worker {
    // under tsx (tests, `npm run dev`) this module is the .ts source
    const ts = import.meta.url.endsWith('.ts');
    const url = new URL(ts ? './write-worker.ts' : './write-worker.js', import.meta.url);
    const workerData = { file: this.#file, hooks: this.#hooks };
    const w = ts
      ? new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`, { eval: true, workerData })
      : new Worker(url, { workerData });
    let started!: () => void;
    let failed!: (e: Error) => void;
    this.#started = new Promise<void>((res, rej) => {
      started = res;
      failed = rej;
    });
    this.#started.catch(() => {}); // reported through the writes, when nobody waits here
    w.on('message', (r: WriteReply) => {
      if (r.id === 0) {
        if (this.#pending.size === 0) w.unref();
        return started();
      }
      const p = this.#pending.get(r.id);
      if (p === undefined) return;
      this.#pending.delete(r.id);
      if (this.#pending.size === 0) w.unref();
      if (r.ok) p.resolve(r.value);
      else p.reject(writeError(r.message, r.code));
    });
    const dead = (why: string): void => {
      if (this.#worker !== w) return;
      this.#worker = null;
      // nothing of these was acknowledged: the callers keep and retry them
      const err = writeError(`the history write thread stopped (${why})`, 'TINCAN_ERR_HISTORY_WRITER');
      failed(err);
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
    };
    w.on('error', (e) => dead(e.message));
    w.on('exit', (code) => dead(`exit code ${code}`));
    // an idle writer does not keep the process alive; one starting or with work in flight does
    this.#worker = w;
    return w;
  }

  run(op: WriteOp): Promise<number> {
    if (this.#closed) return Promise.reject(writeError('the history store is closed', 'TINCAN_ERR_HISTORY_WRITER'));
    const w = this.#worker ?? this.#spawn();
    const id = this.#nextId++;
    return new Promise<number>((resolve, reject) => {
      if (this.#pending.size === 0) w.ref();
      this.#pending.set(id, { resolve, reject });
      // a batch's bytes are its own (EventBatch.toBytes): moved to the thread, not copied
      const own = op.op === 'appendEncoded' && op.bytes.buffer instanceof ArrayBuffer && op.bytes.byteOffset === 0 && op.bytes.byteLength === op.bytes.buffer.byteLength;
      if (own) w.postMessage({ ...op, id }, [op.bytes.buffer as ArrayBuffer]);
      else w.postMessage({ ...op, id });
    });
  }

  /** Starts the thread now and resolves once it has the database open. */
  ready(): Promise<void> {
    if (this.#worker === null && !this.#closed) this.#spawn();
    return this.#started;
  }

  /** Test only: kills the write thread as a crash would. */
  async kill(): Promise<void> {
    await this.#worker?.terminate();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    const w = this.#worker;
    if (w !== null) {
      const exited = new Promise<void>((r) => w.once('exit', () => r()));
      try {
        await this.run({ op: 'close' });
      } catch {
        // a dead thread has nothing left to close
      }
      w.ref(); // until it has exited
      await exited;
    }
    this.#closed = true;
  }
}

export class SqliteStorage implements Storage {
  readonly kind = 'sqlite';
  /** the main thread's connection: reads (and the writes, with writer 'inline') */
  readonly db: Database.Database;
  readonly history: HistoryStore;
  readonly channels: ChannelStore;
  readonly accounts: AccountStore;
  readonly files: FileStore;
  readonly sanctions: SanctionStore;
  readonly #writes: InlineWrites | ThreadWrites;
  readonly #onClose: (() => void) | undefined;

  /** Opens (creating if needed) the database file and migrates it. */
  constructor(file: string, opts: SqliteStorageOptions = {}) {
    if (file !== ':memory:') makeDir(dirname(file));
    this.#onClose = opts.onClose;
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 2000');
    migrate(this.db);
    // an in-memory database exists on its connection only: it cannot be written elsewhere
    const thread = opts.writer === 'thread' && file !== ':memory:';
    this.#writes = thread ? new ThreadWrites(file, opts.testHooks ?? {}) : new InlineWrites(new SqliteWriter(this.db, opts.testHooks ?? {}));
    this.history = new SqliteHistoryStore(this.db, this.#writes);
    this.channels = new SqliteChannelStore(this.db, this.#writes);
    // accounts, files and sanctions read here and write through the writer too (in the
    // thread: a REGISTER or a ban on a stalled disk waits there, not on the event loop)
    const exec: Exec = (stmts) => this.#writes.run({ op: 'exec', stmts });
    this.accounts = new SqliteAccountStore(this.db, exec);
    this.files = new SqliteFileStore(this.db, exec);
    this.sanctions = new SqliteSanctionStore(this.db, exec);
  }

  /** with the writer thread: one request per 5 ms of lines, not per turn (types.ts) */
  get commitWindowMs(): number {
    return this.#writes instanceof ThreadWrites ? COMMIT_WINDOW_MS : 0;
  }

  /** 'thread' when writes run in a worker thread. */
  get writer(): 'inline' | 'thread' {
    return this.#writes instanceof ThreadWrites ? 'thread' : 'inline';
  }

  /** Write requests sent to the thread and not yet committed (0 inline). */
  get writesInFlight(): number {
    return this.#writes instanceof ThreadWrites ? this.#writes.inFlight : 0;
  }

  /**
   * Indexes appended rows for search now, in transactions of at most `batch` rows (as
   * the background does); returns how many transactions it took. For benchmarks/tools
   * (inline writer only).
   */
  indexSearchNow(batch = INDEX_BATCH): number {
    if (!(this.#writes instanceof InlineWrites)) throw new Error('indexSearchNow needs the inline writer');
    let n = 0;
    while (this.#writes.writer.indexPending(batch)) n++;
    return n + 1;
  }

  /**
   * Test hook for "disk full": caps the database at `pages` pages (PRAGMA
   * max_page_count, which SQLite never sets below the current size) on the write
   * connection, so writes that need a new page fail with SQLITE_FULL exactly as on a
   * full disk; null lifts the cap. Resolves with the cap in effect.
   */
  limitPages(pages: number | null): Promise<number> {
    return this.#writes.run({ op: 'limitPages', pages });
  }

  /** Pages the database uses now (for the disk-full tests). */
  pageCount(): number {
    return this.db.pragma('page_count', { simple: true }) as number;
  }

  /**
   * Resolves once writes can start at once (the write thread, if any, has the database
   * open), so the first messages after startup do not wait for the thread to boot.
   */
  async ready(): Promise<void> {
    if (this.#writes instanceof ThreadWrites) await this.#writes.ready();
  }

  /** Test only: kills the write thread as a crash would (no-op inline). */
  async killWriter(): Promise<void> {
    if (this.#writes instanceof ThreadWrites) await this.#writes.kill();
  }

  async close(): Promise<void> {
    await this.#writes.close();
    if (this.db.open) this.db.close();
    this.#onClose?.();
  }
}

interface SearchStatements {
  count: Database.Statement;
  recent: Database.Statement;
  page: Database.Statement;
  rows: Database.Statement;
}

class SqliteHistoryStore implements HistoryStore {
  readonly #db: Database.Database;
  readonly #writes: WriteSide;
  readonly #range: Map<string, Database.Statement>;
  readonly #locate: Database.Statement;
  readonly #presence: Database.Statement;
  readonly #latest: Database.Statement;
  #targetsFrom: Database.Statement | undefined;

  constructor(db: Database.Database, writes: WriteSide) {
    this.#db = db;
    this.#writes = writes;
    this.#range = new Map();
    for (const from of ['oldest', 'newest'] as const) {
      for (const kinds of ['messages', 'all'] as const) {
        const order = from === 'oldest' ? 'time ASC, id ASC' : 'time DESC, id DESC';
        this.#range.set(
          from + kinds,
          db.prepare(
            `SELECT ${COLS} FROM events WHERE target = ? AND (time, id) > (?, ?) AND (time, id) < (?, ?)` +
              (kinds === 'messages' ? ` AND ${MSG}` : '') +
              ` ORDER BY ${order} LIMIT ?`,
          ),
        );
      }
    }
    this.#locate = db.prepare('SELECT time, id FROM events WHERE msgid = ? AND target = ? LIMIT 1');
    // sources 'nick!...' sort between 'nick!' and 'nick"' ('"' follows '!'): a range of events_presence
    this.#presence = db.prepare(
      `SELECT ${COLS} FROM events INDEXED BY events_presence WHERE target = ? AND source >= ? AND source < ?` +
        ` AND command IN ('JOIN', 'PART', 'QUIT', 'NICK') ORDER BY time DESC, id DESC LIMIT ?`,
    );
    this.#latest = db.prepare(`SELECT time FROM events WHERE target = ? AND time > ? AND time < ? AND ${MSG} ORDER BY time DESC, id DESC LIMIT 1`);
  }

  async appendEncoded(bytes: Uint8Array): Promise<void> {
    if (bytes.byteLength > 0) await this.#writes.run({ op: 'appendEncoded', bytes });
  }

  async append(events: readonly NewEvent[]): Promise<void> {
    if (events.length > 0) await this.#writes.run({ op: 'append', events });
  }

  /** Tests: stops background indexing as a killed process would (inline writer only). */
  stopIndexing(): void {
    if (this.#writes instanceof InlineWrites) this.#writes.writer.stopIndexing();
  }

  async range(q: RangeQuery): Promise<StoredEvent[]> {
    const a = q.after ?? LOW;
    const b = q.before ?? HIGH;
    const rows = this.#range.get(q.from + q.kinds)!.all(q.target, a.time, a.id, b.time, b.id, q.limit) as EventRow[];
    if (q.from === 'newest') rows.reverse();
    return rows.map(toEvent);
  }

  async presence(target: string, nick: string, limit: number): Promise<StoredEvent[]> {
    const rows = this.#presence.all(target, nick + '!', nick + '"', limit) as EventRow[];
    return rows.reverse().map(toEvent);
  }

  async locate(target: string, msgid: string): Promise<Cursor | null> {
    const r = this.#locate.get(msgid, target) as { time: number; id: number } | undefined;
    return r === undefined ? null : { time: r.time, id: r.id };
  }

  async latestTimes(targets: readonly string[], after: number, before: number): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const t of targets) {
      const r = this.#latest.get(t, after, before) as { time: number } | undefined;
      if (r !== undefined) out.set(t, r.time);
    }
    return out;
  }

  /**
   * Bounded search of the asked targets only; `stats.examined` counts FTS matches and
   * rows read, at most `maxRows`. Rooms with few rows: just those rows (below). Others:
   * (1) one page of the FTS index, newest first, keeping
   * rows of the targets: a rare word is settled here. (2) The targets' own rows through
   * the (target, time) index, newest first, matched here (search-text.ts agrees with
   * the FTS tokenizer): exact when they fit in the budget, and no other target is read.
   * (3) If bigger rooms are still unsettled, more of the FTS index with what is left.
   */
  async search(q: SearchQuery): Promise<StoredEvent[]> {
    const stats = q.stats ?? { examined: 0, complete: true };
    stats.examined = 0;
    stats.complete = true;
    const targets = [...new Set(q.targets)];
    if (q.words.length === 0 || targets.length === 0) return [];
    const max = q.maxRows ?? DEFAULT_SEARCH_MAX_ROWS;
    await this.#writes.run({ op: 'index' }); // what was appended is searchable (normally < 200 ms of rows)
    const st = (this.#searchStmts ??= this.#prepareSearch());
    const sizes: [string, number][] = [];
    let total = 0;
    for (const t of targets) {
      // past the budget a size is only "too big": not counted further
      const n = total > max ? max + 1 : (st.count.get(t, max - total + 1) as number);
      if (n > 0) sizes.push([t, n]);
      total += n;
    }
    const hits = new Map<number, EventRow>();
    const finish = (): StoredEvent[] => [...hits.values()].sort((a, b) => b.time - a.time || b.id - a.id).slice(0, q.limit).map(toEvent);
    if (sizes.length === 0) return finish();
    // small rooms: just their own rows, exact, nothing else read
    if (total <= Math.min(SEARCH_PAGE, max) && this.#scanRecent(st, sizes, q, max, hits, stats)) return finish();
    const walk = { fts: ftsQuery(q.words), targets: JSON.stringify(targets), below: MAX_ID };
    if (this.#walkIndex(st, walk, q, Math.min(SEARCH_PAGE, Math.floor(max / 4)), hits, stats)) return finish();
    const left = max - stats.examined;
    if (this.#scanRecent(st, sizes, q, total <= left ? left : Math.floor(left / 2), hits, stats)) return finish();
    if (!this.#walkIndex(st, walk, q, max - stats.examined, hits, stats)) stats.complete = false;
    return finish();
  }

  /**
   * Walks the FTS index below `w.below`, newest first, looking at up to `budget`
   * matches and keeping those of the targets. True when that settles the search: the
   * index is exhausted, or `limit` hits are known at or above the point reached.
   */
  #walkIndex(st: SearchStatements, w: { fts: string; targets: string; below: number }, q: SearchQuery, budget: number, hits: Map<number, EventRow>, stats: SearchStats): boolean {
    while (budget > 0) {
      const want = Math.min(SEARCH_PAGE, budget);
      const ids = st.page.all(w.fts, w.below, want) as number[];
      stats.examined += ids.length;
      budget -= ids.length;
      if (ids.length > 0) {
        w.below = ids[ids.length - 1]!;
        for (const r of st.rows.all(JSON.stringify(ids), w.targets) as EventRow[]) hits.set(r.id, r);
      }
      if (ids.length < want) return true;
      let known = 0;
      for (const id of hits.keys()) if (id >= w.below) known++;
      if (known >= q.limit) return true;
    }
    return false;
  }

  /**
   * The newest rows of each target (smallest first, the budget shared), matched here.
   * True when that settles the search: every target either read to its first row or
   * already holding `limit` hits (its older hits cannot make the cut).
   */
  #scanRecent(st: SearchStatements, sizes: [string, number][], q: SearchQuery, budget: number, hits: Map<number, EventRow>, stats: SearchStats): boolean {
    sizes.sort((a, b) => a[1] - b[1]);
    let settled = true;
    for (let k = 0; k < sizes.length; k++) {
      const [t, n] = sizes[k]!;
      const share = Math.floor(budget / (sizes.length - k));
      let looked = 0;
      let found = 0;
      for (const r of st.recent.iterate(t, Math.min(n, share)) as IterableIterator<EventRow & { body: string | null }>) {
        looked++;
        if (r.body !== null && matchesWords(tokenize(r.body), q.words)) {
          hits.set(r.id, r);
          if (++found >= q.limit) break;
        }
      }
      budget -= looked;
      stats.examined += looked;
      if (looked < n && found < q.limit) settled = false;
    }
    return settled;
  }

  #searchStmts: SearchStatements | null = null;

  #prepareSearch(): SearchStatements {
    const db = this.#db;
    return {
      // index-only: how many rows a target has, counting no further than needed
      count: db.prepare('SELECT COUNT(*) FROM (SELECT 1 FROM events WHERE target = ? LIMIT ?)').pluck(),
      recent: db.prepare(`SELECT ${COLS}, body FROM events WHERE target = ? ORDER BY time DESC, id DESC LIMIT ?`),
      page: db.prepare('SELECT rowid FROM events_fts WHERE events_fts MATCH ? AND rowid < ? ORDER BY rowid DESC LIMIT ?').pluck(),
      rows: db.prepare(
        `SELECT ${COLS} FROM events WHERE id IN (SELECT value FROM json_each(?)) AND target IN (SELECT value FROM json_each(?))`,
      ),
    };
  }

  prune(p: PrunePolicy): Promise<number> {
    return this.#writes.run({ op: 'prune', policy: p });
  }

  async targets(prefix: string, limit: number): Promise<string[]> {
    // skip through the (target, time) index from `prefix` on, as #targets does
    const st = (this.#targetsFrom ??= this.#db.prepare(
      `WITH RECURSIVE t(target) AS (
         SELECT MIN(target) FROM events WHERE target >= @p
         UNION ALL SELECT (SELECT MIN(target) FROM events WHERE target > t.target) FROM t
           WHERE t.target IS NOT NULL AND substr(t.target, 1, length(@p)) = @p
       ) SELECT target FROM t WHERE target IS NOT NULL AND substr(target, 1, length(@p)) = @p LIMIT @n`,
    ).pluck());
    return st.all({ p: prefix, n: limit }) as string[];
  }

  deleteTargets(targets: readonly string[], before: number | null): Promise<number> {
    return this.#writes.run({ op: 'deleteTargets', targets, before });
  }

  renameTarget(from: string, to: string): Promise<number> {
    return this.#writes.run({ op: 'renameTarget', from, to });
  }

  deleteMessage(target: string, msgid: string): Promise<number> {
    return this.#writes.run({ op: 'deleteMessage', target, msgid });
  }
}

class SqliteChannelStore implements ChannelStore {
  readonly #all: Database.Statement;
  readonly #writes: WriteSide;

  constructor(db: Database.Database, writes: WriteSide) {
    this.#all = db.prepare('SELECT state FROM channels ORDER BY folded');
    this.#writes = writes;
  }

  async loadChannels(): Promise<ChannelState[]> {
    return (this.#all.all() as { state: string }[]).map((r) => JSON.parse(r.state) as ChannelState);
  }

  async saveChannel(state: ChannelState): Promise<void> {
    await this.#writes.run({ op: 'saveChannel', state });
  }

  async deleteChannel(folded: string): Promise<void> {
    await this.#writes.run({ op: 'deleteChannel', folded });
  }
}

interface FileRow {
  id: string;
  name: string;
  type: string;
  size: number;
  owner: string;
  nick: string;
  target: string;
  created_at: number;
}

const fileOf = (r: FileRow): StoredFile => ({ id: r.id, name: r.name, type: r.type, size: r.size, owner: r.owner, nick: r.nick, target: r.target, createdAt: r.created_at });

const ADD_FILE = 'INSERT INTO files (id, name, type, size, owner, nick, target, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
const DELETE_FILE = 'DELETE FROM files WHERE id = ?';

class SqliteFileStore implements FileStore {
  readonly #get: Database.Statement;
  readonly #all: Database.Statement;
  readonly #exec: Exec;

  constructor(db: Database.Database, exec: Exec) {
    this.#get = db.prepare('SELECT * FROM files WHERE id = ?');
    this.#all = db.prepare('SELECT * FROM files ORDER BY created_at, id');
    this.#exec = exec;
  }

  async addFile(f: StoredFile): Promise<void> {
    await this.#exec([{ sql: ADD_FILE, params: [f.id, f.name, f.type, f.size, f.owner, f.nick, f.target, f.createdAt] }]);
  }

  async getFile(id: string): Promise<StoredFile | null> {
    const r = this.#get.get(id) as FileRow | undefined;
    return r === undefined ? null : fileOf(r);
  }

  async deleteFile(id: string): Promise<void> {
    await this.#exec([{ sql: DELETE_FILE, params: [id] }]);
  }

  async listFiles(): Promise<StoredFile[]> {
    return (this.#all.all() as FileRow[]).map(fileOf);
  }
}

const SAVE_SANCTION = 'INSERT OR REPLACE INTO sanctions (id, state) VALUES (?, ?)';
const DELETE_SANCTION = 'DELETE FROM sanctions WHERE id = ?';

class SqliteSanctionStore implements SanctionStore {
  readonly #all: Database.Statement;
  readonly #exec: Exec;

  constructor(db: Database.Database, exec: Exec) {
    this.#all = db.prepare('SELECT state FROM sanctions ORDER BY id');
    this.#exec = exec;
  }

  async loadSanctions(): Promise<Sanction[]> {
    return (this.#all.all() as { state: string }[]).map((r) => JSON.parse(r.state) as Sanction);
  }

  async saveSanction(s: Sanction): Promise<void> {
    await this.#exec([{ sql: SAVE_SANCTION, params: [s.id, JSON.stringify(s)] }]);
  }

  async deleteSanction(id: string): Promise<void> {
    await this.#exec([{ sql: DELETE_SANCTION, params: [id] }]);
  }
}
