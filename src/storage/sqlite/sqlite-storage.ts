/**
 * The embedded default store: one SQLite file (better-sqlite3) in the data directory,
 * WAL mode with synchronous=NORMAL. A committed transaction is in the WAL file (the
 * OS page cache) before append() returns, so it survives the process being killed
 * (kill -9, a crash); only an OS crash or power loss can lose the last commits, never
 * corrupt the database. Full-text search is an FTS5 external-content table. Deletes
 * reach it by trigger; new rows are indexed OFF the append transaction, in background
 * batches (every INDEX_DELAY_MS, at most INDEX_BATCH rows per transaction), because
 * FTS5 tokenizing and segment writes were most of the cost of an append and append runs
 * in the same event-loop turn as message delivery. `fts_progress.indexed` is the highest
 * events.id in the index, so a restart indexes whatever a previous process did not.
 * search() and prune() first index everything pending, so they see exactly what was
 * appended; only an external reader of the file can see the index lag (by at most about
 * INDEX_DELAY_MS while the server runs).
 *
 * All calls are synchronous inside (better-sqlite3); the Promise shape is the contract's.
 */
import Database from 'better-sqlite3';
import { dirname } from 'node:path';
import { makeDir } from '../data-dir.js';
import type {
  ChannelState,
  ChannelStore,
  Cursor,
  HistoryCommand,
  HistoryStore,
  NewEvent,
  PrunePolicy,
  RangeQuery,
  SearchQuery,
  Storage,
  StoredEvent,
} from '../types.js';
import { MAX_ID } from '../types.js';
import { searchableText } from '../search-text.js';
import { migrate } from './migrations.js';

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

/** How long appended rows may wait before they are indexed for search. */
const INDEX_DELAY_MS = 200;
/** Rows indexed per background transaction (more continue in the next macrotask). */
const INDEX_BATCH = 5000;

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

export class SqliteStorage implements Storage {
  readonly kind = 'sqlite';
  readonly db: Database.Database;
  readonly history: HistoryStore;
  readonly channels: ChannelStore;
  readonly #history: SqliteHistoryStore;
  readonly #onClose: (() => void) | undefined;

  /**
   * Opens (creating if needed) the database file and migrates it. `onClose` runs after
   * the database is closed (open.ts releases the data directory lock there).
   */
  constructor(file: string, opts: { onClose?: () => void } = {}) {
    if (file !== ':memory:') makeDir(dirname(file));
    this.#onClose = opts.onClose;
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 2000');
    migrate(this.db);
    this.history = this.#history = new SqliteHistoryStore(this.db);
    this.channels = new SqliteChannelStore(this.db);
  }

  /**
   * Indexes appended rows for search now, in transactions of at most `batch` rows (as
   * the background does); returns how many transactions it took. For benchmarks/tools.
   */
  indexSearchNow(batch = INDEX_BATCH): number {
    let n = 0;
    while (this.#history.indexPending(batch)) n++;
    return n + 1;
  }

  /**
   * Test hook for "disk full": caps the database at `pages` pages (PRAGMA
   * max_page_count, which SQLite never sets below the current size), so writes that need
   * a new page fail with SQLITE_FULL exactly as on a full disk; null lifts the cap.
   * Returns the cap in effect.
   */
  limitPages(pages: number | null): number {
    return this.db.pragma(`max_page_count = ${pages === null ? 4294967294 : Math.max(1, Math.floor(pages))}`, { simple: true }) as number;
  }

  /** Pages the database uses now (for the disk-full tests). */
  pageCount(): number {
    return this.db.pragma('page_count', { simple: true }) as number;
  }

  async close(): Promise<void> {
    this.#history.stopIndexing();
    if (this.db.open) {
      try {
        this.#history.indexPending(Infinity);
      } catch {
        // indexed at the next open
      }
      this.db.close();
    }
    this.#onClose?.();
  }
}

class SqliteHistoryStore implements HistoryStore {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement;
  readonly #appendTx: (events: readonly NewEvent[]) => number;
  readonly #range: Map<string, Database.Statement>;
  readonly #locate: Database.Statement;
  readonly #latest: Database.Statement;
  readonly #search: Database.Statement;
  readonly #targets: Database.Statement;
  readonly #pruneAge: Database.Statement;
  readonly #nth: Database.Statement;
  readonly #pruneUpTo: Database.Statement;
  readonly #nthAfter: Database.Statement;
  readonly #indexRange: Database.Statement;
  readonly #setIndexed: Database.Statement;
  readonly #maxId: Database.Statement;
  readonly #indexTx: (upTo: number) => void;
  /** highest events.id in events_fts (mirrors fts_progress.indexed) */
  #indexed: number;
  /** highest events.id appended */
  #last: number;
  #indexTimer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  #stopped = false;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#insert = db.prepare(
      'INSERT INTO events (target, time, msgid, command, source, params, tags, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.#appendTx = db.transaction((events: readonly NewEvent[]) => {
      let id = 0;
      for (const e of events) {
        id = this.#insert.run(e.target, e.time, e.msgid, e.command, e.source, JSON.stringify(e.params), e.tags, searchableText(e.command, e.params))
          .lastInsertRowid as number;
      }
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
    this.#scheduleIndex();
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
    this.#latest = db.prepare(`SELECT time FROM events WHERE target = ? AND time > ? AND time < ? AND ${MSG} ORDER BY time DESC, id DESC LIMIT 1`);
    // newest first by arrival (ids grow as events are appended): FTS5 walks its matches
    // in rowid order and stops at LIMIT, instead of sorting every match by time
    this.#search = db.prepare(
      `SELECT ${COLS.split(', ').map((c) => 'e.' + c).join(', ')} FROM events_fts f JOIN events e ON e.id = f.rowid
       WHERE events_fts MATCH ? AND e.target IN (SELECT value FROM json_each(?))
       ORDER BY f.rowid DESC LIMIT ?`,
    );
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
  }

  async append(events: readonly NewEvent[]): Promise<void> {
    if (events.length > 0) {
      // the mark moves only once COMMIT succeeded: a failed one (SQLITE_FULL writing the
      // WAL) rolls back ids that the next rows reuse, and those must still be indexed
      const id = this.#appendTx(events);
      if (id > this.#last) this.#last = id;
      this.#scheduleIndex();
    }
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
      // the rest in later macrotasks, so delivery turns run in between
      const im = setImmediate(() => this.#indexStep());
      im.unref();
      this.#indexTimer = im;
    }
  }

  async range(q: RangeQuery): Promise<StoredEvent[]> {
    const a = q.after ?? LOW;
    const b = q.before ?? HIGH;
    const rows = this.#range.get(q.from + q.kinds)!.all(q.target, a.time, a.id, b.time, b.id, q.limit) as EventRow[];
    if (q.from === 'newest') rows.reverse();
    return rows.map(toEvent);
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

  async search(q: SearchQuery): Promise<StoredEvent[]> {
    if (q.words.length === 0 || q.targets.length === 0) return [];
    this.indexPending(Infinity);
    const rows = this.#search.all(ftsQuery(q.words), JSON.stringify([...q.targets]), q.limit) as EventRow[];
    return rows.map(toEvent);
  }

  async prune(p: PrunePolicy): Promise<number> {
    let budget = p.maxRows;
    const run = this.#db.transaction(() => {
      // the delete trigger removes rows from events_fts: only indexed rows may be deleted
      this.indexPending(Infinity);
      for (const { target } of this.#targets.all() as { target: string }[]) {
        if (budget <= 0) break;
        if (p.olderThan !== null) budget -= this.#pruneAge.run(target, p.olderThan, budget).changes;
        if (p.maxPerTarget !== null && budget > 0) {
          const cut = this.#nth.get(target, p.maxPerTarget) as { time: number; id: number } | undefined;
          if (cut !== undefined) budget -= this.#pruneUpTo.run(target, cut.time, cut.id, budget).changes;
        }
      }
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
    return p.maxRows - budget;
  }
}

class SqliteChannelStore implements ChannelStore {
  readonly #all: Database.Statement;
  readonly #save: Database.Statement;
  readonly #delete: Database.Statement;

  constructor(db: Database.Database) {
    this.#all = db.prepare('SELECT state FROM channels ORDER BY folded');
    this.#save = db.prepare('INSERT OR REPLACE INTO channels (folded, state) VALUES (?, ?)');
    this.#delete = db.prepare('DELETE FROM channels WHERE folded = ?');
  }

  async loadChannels(): Promise<ChannelState[]> {
    return (this.#all.all() as { state: string }[]).map((r) => JSON.parse(r.state) as ChannelState);
  }

  async saveChannel(state: ChannelState): Promise<void> {
    this.#save.run(state.folded, JSON.stringify(state));
  }

  async deleteChannel(folded: string): Promise<void> {
    this.#delete.run(folded);
  }
}
