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
  Sanction,
  SanctionStore,
  SearchQuery,
  SearchStats,
  Storage,
  StoredEvent,
} from '../types.js';
import { DEFAULT_SEARCH_MAX_ROWS, MAX_ID } from '../types.js';
import { matchesWords, searchableText, tokenize } from '../search-text.js';
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
/** FTS matches fetched per page when a search walks the index. */
const SEARCH_PAGE = 500;
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
  readonly sanctions: SanctionStore;
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
    this.sanctions = new SqliteSanctionStore(this.db);
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

interface SearchStatements {
  count: Database.Statement;
  recent: Database.Statement;
  page: Database.Statement;
  rows: Database.Statement;
}

class SqliteHistoryStore implements HistoryStore {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement;
  readonly #appendTx: (events: readonly NewEvent[]) => number;
  readonly #range: Map<string, Database.Statement>;
  readonly #locate: Database.Statement;
  readonly #presence: Database.Statement;
  readonly #latest: Database.Statement;
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
    // sources 'nick!...' sort between 'nick!' and 'nick"' ('"' follows '!'): a range of events_presence
    this.#presence = db.prepare(
      `SELECT ${COLS} FROM events INDEXED BY events_presence WHERE target = ? AND source >= ? AND source < ?` +
        ` AND command IN ('JOIN', 'PART', 'QUIT', 'NICK') ORDER BY time DESC, id DESC LIMIT ?`,
    );
    this.#latest = db.prepare(`SELECT time FROM events WHERE target = ? AND time > ? AND time < ? AND ${MSG} ORDER BY time DESC, id DESC LIMIT 1`);
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
    this.indexPending(Infinity); // what was appended is searchable (normally < 200 ms of rows)
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

class SqliteSanctionStore implements SanctionStore {
  readonly #all: Database.Statement;
  readonly #save: Database.Statement;
  readonly #delete: Database.Statement;

  constructor(db: Database.Database) {
    this.#all = db.prepare('SELECT state FROM sanctions ORDER BY id');
    this.#save = db.prepare('INSERT OR REPLACE INTO sanctions (id, state) VALUES (?, ?)');
    this.#delete = db.prepare('DELETE FROM sanctions WHERE id = ?');
  }

  async loadSanctions(): Promise<Sanction[]> {
    return (this.#all.all() as { state: string }[]).map((r) => JSON.parse(r.state) as Sanction);
  }

  async saveSanction(s: Sanction): Promise<void> {
    this.#save.run(s.id, JSON.stringify(s));
  }

  async deleteSanction(id: string): Promise<void> {
    this.#delete.run(id);
  }
}
