/**
 * Everything that WRITES the SQLite history database, on one connection: appends,
 * full-text indexing (background batches), retention pruning, channel state, and the
 * disk-full test hook. It runs either on the main thread (SqliteStorage's default, for
 * tools and tests that want synchronous semantics) or alone in a worker thread
 * (write-worker.ts; what `tincan serve` uses, see open.ts), so that a slow commit, a WAL
 * checkpoint or an indexing batch never blocks the event loop that delivers messages.
 *
 * Full-text indexing: new rows are indexed OFF the append transaction, in batches
 * (INDEX_DELAY_MS after an append, at most INDEX_BATCH rows per transaction, further
 * batches on later turns of this thread's loop). `fts_progress.indexed` is the highest
 * events.id in the index, so a restart indexes whatever a previous process did not.
 */
import type Database from 'better-sqlite3';
import type { ChannelState, NewEvent, PrunePolicy } from '../types.js';
import { searchableText } from '../search-text.js';
import { decodeEvents } from '../event-codec.js';

/** How long appended rows may wait before they are indexed for search. */
export const INDEX_DELAY_MS = 200;
/** Rows indexed per background transaction (more continue in the next macrotask). */
export const INDEX_BATCH = 5000;

/**
 * The write thread's nice value (write-worker.ts): the lowest priority there is. With 5
 * levels below the event loop (as before) a woken writer still preempted the loop on a
 * shared core: a profile of fanout500 with tincan pinned to one core charged ~8 % of the
 * loop's busy time to the postMessage that woke it. At 19 it runs when the loop waits
 * (or on another core); under a saturated core history waits, within its backlog bound.
 * Lower than the other helpers (helper-threads.ts): nothing the loop needs waits for it.
 */
export const WRITER_NICE = 19;

/** Test-only: make commits slow, to show that a slow disk stalls nobody. */
export interface WriterTestHooks {
  /** every append transaction takes at least this long before its COMMIT */
  commitDelayMs?: number;
  /** every exec transaction (accounts, files, sanctions) takes at least this long before its COMMIT */
  execDelayMs?: number;
  /** while gate[0] !== 0 every append and exec waits (before its COMMIT) */
  commitGate?: Int32Array;
}

/**
 * One write statement of the stores that are not history (accounts, files, sanctions:
 * their SQL stays with them, sqlite-store.ts / sqlite-storage.ts), run by the writer so
 * that it commits on the write connection (off the event loop with the thread) in
 * order with every other write. Parameters: positional values or one object (@names).
 */
export interface ExecStatement {
  sql: string;
  params: readonly unknown[];
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

export class SqliteWriter {
  readonly #db: Database.Database;
  readonly #hooks: WriterTestHooks;
  readonly #insert: Database.Statement;
  readonly #appendTx: (events: readonly NewEvent[]) => number;
  readonly #targets: Database.Statement;
  readonly #pruneAge: Database.Statement;
  readonly #nth: Database.Statement;
  readonly #pruneUpTo: Database.Statement;
  #deleteTarget: Database.Statement | undefined;
  #deleteMsg: Database.Statement | undefined;
  #rename: Database.Statement | undefined;
  readonly #nthAfter: Database.Statement;
  readonly #indexRange: Database.Statement;
  readonly #setIndexed: Database.Statement;
  readonly #maxId: Database.Statement;
  readonly #indexTx: (upTo: number) => void;
  readonly #save: Database.Statement;
  readonly #delete: Database.Statement;
  /** prepared exec statements by SQL text (a handful: the stores' fixed statements) */
  readonly #execCache = new Map<string, Database.Statement>();
  /** highest events.id in events_fts (mirrors fts_progress.indexed) */
  #indexed: number;
  /** highest events.id appended */
  #last: number;
  #indexTimer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  #stopped = false;

  constructor(db: Database.Database, hooks: WriterTestHooks = {}) {
    this.#db = db;
    this.#hooks = hooks;
    this.#insert = db.prepare(
      'INSERT INTO events (target, time, msgid, command, source, params, tags, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.#appendTx = db.transaction((events: readonly NewEvent[]) => {
      let id = 0;
      for (const e of events) {
        id = this.#insert.run(e.target, e.time, e.msgid, e.command, e.source, JSON.stringify(e.params), e.tags, searchableText(e.command, e.params))
          .lastInsertRowid as number;
      }
      this.#slowCommit();
      return id;
    });
    this.#nthAfter = db.prepare('SELECT id FROM events WHERE id > ? ORDER BY id LIMIT 1 OFFSET ?').pluck();
    this.#indexRange = db.prepare('INSERT INTO events_fts (rowid, body) SELECT id, body FROM events WHERE id > ? AND id <= ? AND body IS NOT NULL');
    this.#setIndexed = db.prepare('UPDATE fts_progress SET indexed = ? WHERE k = 0');
    this.#maxId = db.prepare('SELECT COALESCE(MAX(id), 0) FROM events').pluck();
    this.#indexTx = db.transaction((upTo: number) => {
      this.#indexRange.run(this.#indexed, upTo);
      this.#setIndexed.run(upTo);
    });
    this.#indexed = db.prepare('SELECT indexed FROM fts_progress WHERE k = 0').pluck().get() as number;
    this.#last = this.#maxId.get() as number;
    if (this.#last < this.#indexed) {
      // rows above the mark were deleted by something other than prune(): nothing to index
      this.#setIndexed.run(this.#last);
      this.#indexed = this.#last;
    }
    // distinct targets by skipping through the (target, time) index
    this.#targets = db.prepare(
      `WITH RECURSIVE t(target) AS (
         SELECT MIN(target) FROM events
         UNION ALL SELECT (SELECT MIN(target) FROM events WHERE target > t.target) FROM t WHERE t.target IS NOT NULL
       ) SELECT target FROM t WHERE target IS NOT NULL`,
    );
    this.#pruneAge = db.prepare('DELETE FROM events WHERE id IN (SELECT id FROM events WHERE target = ? AND time < ? ORDER BY time, id LIMIT ?)');
    this.#nth = db.prepare('SELECT time, id FROM events WHERE target = ? ORDER BY time DESC, id DESC LIMIT 1 OFFSET ?');
    this.#pruneUpTo = db.prepare(
      'DELETE FROM events WHERE id IN (SELECT id FROM events WHERE target = ? AND (time, id) <= (?, ?) ORDER BY time, id LIMIT ?)',
    );
    this.#save = db.prepare('INSERT OR REPLACE INTO channels (folded, state) VALUES (?, ?)');
    this.#delete = db.prepare('DELETE FROM channels WHERE folded = ?');
    this.#scheduleIndex();
  }

  #slowCommit(delayMs = this.#hooks.commitDelayMs): void {
    const { commitGate } = this.#hooks;
    if (delayMs !== undefined && delayMs > 0) Atomics.wait(sleeper, 0, 0, delayMs);
    if (commitGate !== undefined) while (Atomics.load(commitGate, 0) !== 0) Atomics.wait(commitGate, 0, Atomics.load(commitGate, 0), 1000);
  }

  /** Appends in one transaction; throws (rolled back) on failure. */
  append(events: readonly NewEvent[]): void {
    if (events.length === 0) return;
    // the mark moves only once COMMIT succeeded: a failed one (SQLITE_FULL writing the
    // WAL) rolls back ids that the next rows reuse, and those must still be indexed
    const id = this.#appendTx(events);
    if (id > this.#last) this.#last = id;
    this.#scheduleIndex();
  }

  /**
   * Indexes up to `max` appended rows that are not in events_fts yet, in one
   * transaction; returns true when rows remain.
   */
  indexPending(max: number): boolean {
    if (this.#indexed >= this.#last) return false;
    let upTo = this.#last;
    if (Number.isFinite(max)) {
      const nth = this.#nthAfter.get(this.#indexed, max - 1) as number | undefined;
      if (nth !== undefined && nth < upTo) upTo = nth;
    }
    this.#indexTx(upTo);
    this.#indexed = upTo;
    return this.#indexed < this.#last;
  }

  stopIndexing(): void {
    this.#stopped = true;
    if (this.#indexTimer !== null) {
      clearTimeout(this.#indexTimer as NodeJS.Timeout);
      clearImmediate(this.#indexTimer as NodeJS.Immediate);
      this.#indexTimer = null;
    }
  }

  #scheduleIndex(): void {
    if (this.#indexTimer !== null || this.#stopped || this.#indexed >= this.#last) return;
    const t = setTimeout(() => this.#indexStep(), INDEX_DELAY_MS);
    t.unref();
    this.#indexTimer = t;
  }

  #indexStep(): void {
    this.#indexTimer = null;
    if (this.#stopped || !this.#db.open) return;
    let more: boolean;
    try {
      more = this.indexPending(INDEX_BATCH);
    } catch {
      // busy or failing database: retried after the next delay (search() indexes first)
      more = false;
      const t = setTimeout(() => this.#indexStep(), INDEX_DELAY_MS * 5);
      t.unref();
      this.#indexTimer = t;
      return;
    }
    if (more) {
      // the rest in later macrotasks, so other work (appends, delivery turns) runs in between
      const im = setImmediate(() => this.#indexStep());
      im.unref();
      this.#indexTimer = im;
    }
  }

  prune(p: PrunePolicy): number {
    let budget = p.maxRows;
    this.#deleting(() => {
      for (const { target } of this.#targets.all() as { target: string }[]) {
        if (budget <= 0) break;
        if (p.olderThan !== null) budget -= this.#pruneAge.run(target, p.olderThan, budget).changes;
        if (p.maxPerTarget !== null && budget > 0) {
          const cut = this.#nth.get(target, p.maxPerTarget) as { time: number; id: number } | undefined;
          if (cut !== undefined) budget -= this.#pruneUpTo.run(target, cut.time, cut.id, budget).changes;
        }
      }
    });
    return p.maxRows - budget;
  }

  /** Deletes every event of `targets` older than `before` (null = all): a dropped account's conversations. */
  deleteTargets(targets: readonly string[], before: number | null): number {
    const del = (this.#deleteTarget ??= this.#db.prepare('DELETE FROM events WHERE target = ? AND time < ?'));
    let n = 0;
    this.#deleting(() => {
      for (const t of targets) n += del.run(t, before ?? Number.MAX_SAFE_INTEGER).changes;
    });
    return n;
  }

  /** Moves the events of `from` to `to` (a channel rename; the FTS index holds bodies only). */
  renameTarget(from: string, to: string): number {
    if (from === to) return 0;
    const st = (this.#rename ??= this.#db.prepare('UPDATE events SET target = ? WHERE target = ?'));
    return st.run(to, from).changes;
  }

  /** Deletes the event `msgid` of `target` (a redaction). */
  deleteMessage(target: string, msgid: string): number {
    const del = (this.#deleteMsg ??= this.#db.prepare('DELETE FROM events WHERE target = ? AND msgid = ?'));
    let n = 0;
    this.#deleting(() => {
      n = del.run(target, msgid).changes;
    });
    return n;
  }

  /** Runs `del` (deletes of events) in one transaction that keeps the FTS mark right. */
  #deleting(del: () => void): void {
    const run = this.#db.transaction(() => {
      // the delete trigger removes rows from events_fts: only indexed rows may be deleted
      this.indexPending(Infinity);
      del();
      // ids are reused when the newest rows go (INTEGER PRIMARY KEY, no AUTOINCREMENT):
      // everything left is indexed, so the mark is the highest id left
      const left = this.#maxId.get() as number;
      if (left < this.#indexed) {
        this.#setIndexed.run(left);
        this.#indexed = left;
        this.#last = left;
      }
    });
    try {
      run();
    } catch (err) {
      // rolled back: the in-memory mark may be ahead of the database's
      this.#indexed = this.#db.prepare('SELECT indexed FROM fts_progress WHERE k = 0').pluck().get() as number;
      throw err;
    }
  }

  /** Runs the statements in one transaction; returns the rows the last one changed. */
  exec(stmts: readonly ExecStatement[]): number {
    let changes = 0;
    this.#db.transaction(() => {
      for (const x of stmts) {
        let st = this.#execCache.get(x.sql);
        if (st === undefined) {
          st = this.#db.prepare(x.sql);
          this.#execCache.set(x.sql, st);
        }
        changes = st.run(...x.params).changes;
      }
      this.#slowCommit(this.#hooks.execDelayMs);
    })();
    return changes;
  }

  saveChannel(state: ChannelState): void {
    this.#save.run(state.folded, JSON.stringify(state));
  }

  deleteChannel(folded: string): void {
    this.#delete.run(folded);
  }

  /** See SqliteStorage.limitPages (PRAGMA max_page_count is per connection: this one). */
  limitPages(pages: number | null): number {
    return this.#db.pragma(`max_page_count = ${pages === null ? 4294967294 : Math.max(1, Math.floor(pages))}`, { simple: true }) as number;
  }

  /** Stops the background indexer and indexes what is pending (best effort). */
  finish(): void {
    this.stopIndexing();
    if (!this.#db.open) return;
    try {
      this.indexPending(Infinity);
    } catch {
      // indexed at the next open
    }
  }
}

// ---- the worker protocol (write-worker.ts <-> sqlite-storage.ts) ------------------------

export type WriteOp =
  | { op: 'append'; events: readonly NewEvent[] }
  /** event-codec.ts records; over the thread boundary the buffer is transferred, not copied */
  | { op: 'appendEncoded'; bytes: Uint8Array }
  | { op: 'index' }
  | { op: 'prune'; policy: PrunePolicy }
  | { op: 'deleteTargets'; targets: readonly string[]; before: number | null }
  | { op: 'deleteMessage'; target: string; msgid: string }
  | { op: 'renameTarget'; from: string; to: string }
  | { op: 'saveChannel'; state: ChannelState }
  | { op: 'deleteChannel'; folded: string }
  | { op: 'limitPages'; pages: number | null }
  | { op: 'exec'; stmts: readonly ExecStatement[] }
  | { op: 'close' };

export type WriteRequest = WriteOp & { id: number };

export type WriteReply = { id: number; ok: true; value: number } | { id: number; ok: false; message: string; code: string | undefined };

/** Runs one request on a writer; the value is a number for every op (0 when none). */
export function runOp(w: SqliteWriter, r: WriteOp): number {
  switch (r.op) {
    case 'append':
      w.append(r.events);
      return 0;
    case 'appendEncoded':
      w.append(decodeEvents(r.bytes));
      return 0;
    case 'index':
      w.indexPending(Infinity);
      return 0;
    case 'prune':
      return w.prune(r.policy);
    case 'deleteTargets':
      return w.deleteTargets(r.targets, r.before);
    case 'deleteMessage':
      return w.deleteMessage(r.target, r.msgid);
    case 'renameTarget':
      return w.renameTarget(r.from, r.to);
    case 'saveChannel':
      w.saveChannel(r.state);
      return 0;
    case 'deleteChannel':
      w.deleteChannel(r.folded);
      return 0;
    case 'limitPages':
      return w.limitPages(r.pages);
    case 'exec':
      return w.exec(r.stmts);
    case 'close':
      w.finish();
      return 0;
  }
}
