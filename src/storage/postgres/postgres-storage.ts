/**
 * History and channel state in PostgreSQL (`pg`), for several nodes sharing one store
 * (docs/scale-out.md) or one node on a database that is already run and backed up.
 *
 * A bounded pool (postgres.poolMax connections), every statement under a server-side
 * statement_timeout and a client-side query timeout, and a bounded wait for a free
 * connection: a slow or dead database makes calls reject, never pile up. A connection
 * that dies (the server restarted, a network cut) is dropped by the pool and the next
 * call opens a new one: there is no reconnect loop to manage. A rejected append is the
 * core's "history store is failing" outage (src/core/history.ts): buffered, bounded,
 * retried, users told. A timed-out append may still commit on the server; its retry
 * then adds nothing ((target, msgid) is unique, msgids are unique per server process).
 *
 * Unlike the embedded stores, append() returns after a network round trip, so a line
 * can reach clients a moment before its row commits; a crash in that window loses it
 * from history (it was delivered). docs/scale-out.md.
 *
 * Search: each PRIVMSG/NOTICE row stores its words as a tsvector built in JS from
 * search-text.ts's tokenize() (folded: no case, no accents), never through PostgreSQL's
 * text parser or dictionaries, so the words are exactly the other stores' and no
 * extension (unaccent) is needed. The row's target is one more lexeme, '>' + target
 * ('>' never occurs in a word), so one GIN lookup finds "these words in these rooms"
 * without reading other rooms' rows.
 */
import pg from 'pg';
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
  AccountCredentials,
  AccountRecord,
  AccountStore,
  Sanction,
  SanctionStore,
} from '../types.js';
import { DEFAULT_SEARCH_MAX_ROWS, MAX_ID } from '../types.js';
import { searchableText, tokenize } from '../search-text.js';
import { migrate } from './migrations.js';

export interface PostgresOptions {
  /** postgres://user:password@host:port/database (libpq-style parameters allowed) */
  url: string;
  /** most connections this process opens (default 10) */
  poolMax?: number;
  /** longest a statement may run, server- and client-side (default 10 s) */
  statementTimeoutMs?: number;
  /** longest to wait for a connection, new or from the pool (default 5 s) */
  connectTimeoutMs?: number;
  /** an idle pooled connection failed (the pool drops it; default: ignored) */
  onIdleError?: (err: Error) => void;
}

interface EventRow {
  id: string;
  target: string;
  time: string;
  msgid: string;
  command: string;
  source: string;
  params: string;
  tags: string;
}

const COLS = 'id, target, time, msgid, command, source, params, tags';
const MSG = "command IN ('PRIVMSG', 'NOTICE')";
const PRESENCE = "command IN ('JOIN', 'PART', 'QUIT', 'NICK')";
const LOW: Cursor = { time: -MAX_ID, id: 0 };
const HIGH: Cursor = { time: MAX_ID, id: MAX_ID };
/** a lexeme must stay under 2 KiB: longer "words" are indexed by their first characters */
const MAX_WORD_CHARS = 400;
/** events per INSERT statement (the batch stays one transaction) */
const INSERT_CHUNK = 1000;

function toEvent(r: EventRow): StoredEvent {
  return {
    id: Number(r.id),
    target: r.target,
    time: Number(r.time),
    msgid: r.msgid,
    command: r.command as HistoryCommand,
    source: r.source,
    params: JSON.parse(r.params) as string[],
    tags: r.tags,
  };
}

/** A quoted tsvector/tsquery lexeme: the text is taken as is (no parser, no dictionary). */
function lexeme(s: string): string {
  return `'${s.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

const targetLexeme = (target: string): string => lexeme('>' + target);

/** The tsvector text of a message row (its words and its target), or null when not searchable. */
export function wordsVector(e: NewEvent): string | null {
  const text = searchableText(e.command, e.params);
  if (text === null) return null;
  const words = new Set<string>();
  for (const t of tokenize(text)) words.add(t.length > MAX_WORD_CHARS ? [...t].slice(0, MAX_WORD_CHARS).join('') : t);
  if (words.size === 0) return null;
  return [...words].map(lexeme).join(' ') + ' ' + targetLexeme(e.target);
}

/** The tsquery text: every word (a trailing '*' = prefix) in any of the targets. */
function searchQuery(words: readonly string[], targets: readonly string[]): string {
  const ws = words.map((w) => (w.endsWith('*') ? lexeme(w.slice(0, -1)) + ':*' : lexeme(w)));
  return `${ws.join(' & ')} & (${targets.map(targetLexeme).join(' | ')})`;
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable postgres URL)';
  }
}

export class PostgresStorage implements Storage {
  readonly kind = 'postgres';
  readonly pool: pg.Pool;
  readonly history: HistoryStore;
  readonly channels: ChannelStore;
  readonly accounts: AccountStore;
  readonly sanctions: SanctionStore;
  #closed = false;

  private constructor(pool: pg.Pool) {
    this.pool = pool;
    this.history = new PostgresHistoryStore(pool);
    this.channels = new PostgresChannelStore(pool);
    this.accounts = new PostgresAccountStore(pool);
    this.sanctions = new PostgresSanctionStore(pool);
  }

  /** Connects, migrates, and returns the store; rejects with a clear message when it cannot. */
  static async open(opts: PostgresOptions): Promise<PostgresStorage> {
    const timeout = opts.statementTimeoutMs ?? 10_000;
    const pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.poolMax ?? 10,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
      idleTimeoutMillis: 30_000,
      statement_timeout: timeout,
      // the server-side timeout, plus slack for the round trip
      query_timeout: timeout + 2000,
      idle_in_transaction_session_timeout: timeout,
      application_name: 'tincan',
    });
    // an idle connection whose server went away: without a listener this would crash the process
    pool.on('error', (err) => opts.onIdleError?.(err));
    try {
      await migrate(pool);
    } catch (e) {
      await pool.end().catch(() => {});
      throw new Error(`PostgreSQL at ${redactUrl(opts.url)}: ${(e as Error).message}`, { cause: e });
    }
    return new PostgresStorage(pool);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.pool.end();
  }
}

class PostgresHistoryStore implements HistoryStore {
  readonly #pool: pg.Pool;
  /** appends run one after another, so ids follow this process's append order */
  #appending: Promise<unknown> = Promise.resolve();

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  append(events: readonly NewEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    const run = this.#appending.then(() => this.#insert(events));
    this.#appending = run.catch(() => {});
    return run;
  }

  async #insert(events: readonly NewEvent[]): Promise<void> {
    const cols = (es: readonly NewEvent[]): unknown[] => [
      es.map((e) => e.target),
      es.map((e) => e.time),
      es.map((e) => e.msgid),
      es.map((e) => e.command),
      es.map((e) => e.source),
      es.map((e) => JSON.stringify(e.params)),
      es.map((e) => e.tags),
      es.map(wordsVector),
    ];
    // rows in array order (WITH ORDINALITY ... ORDER BY), so ids follow the batch's order
    const sql =
      'INSERT INTO events (target, time, msgid, command, source, params, tags, words) ' +
      'SELECT target, time, msgid, command, source, params, tags, words::tsvector FROM unnest(' +
      '$1::text[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]' +
      ') WITH ORDINALITY AS u(target, time, msgid, command, source, params, tags, words, n) ORDER BY n' +
      // a retry of a batch whose first try timed out on the client but committed
      ' ON CONFLICT (target, msgid) DO NOTHING';
    if (events.length <= INSERT_CHUNK) {
      await this.#pool.query(sql, cols(events));
      return;
    }
    // a big retry batch: several statements, one transaction (all or nothing)
    const c = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      await c.query('BEGIN');
      for (let i = 0; i < events.length; i += INSERT_CHUNK) await c.query(sql, cols(events.slice(i, i + INSERT_CHUNK)));
      await c.query('COMMIT');
    } catch (e) {
      broken = e as Error;
      await c.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      c.release(broken);
    }
  }

  async range(q: RangeQuery): Promise<StoredEvent[]> {
    const a = q.after ?? LOW;
    const b = q.before ?? HIGH;
    const order = q.from === 'oldest' ? 'time ASC, id ASC' : 'time DESC, id DESC';
    const r = await this.#pool.query<EventRow>(
      `SELECT ${COLS} FROM events WHERE target = $1 AND (time, id) > ($2, $3) AND (time, id) < ($4, $5)` +
        (q.kinds === 'messages' ? ` AND ${MSG}` : '') +
        ` ORDER BY ${order} LIMIT $6`,
      [q.target, a.time, a.id, b.time, b.id, q.limit],
    );
    const rows = r.rows;
    if (q.from === 'newest') rows.reverse();
    return rows.map(toEvent);
  }

  async presence(target: string, nick: string, limit: number): Promise<StoredEvent[]> {
    // sources 'nick!...' sort between 'nick!' and 'nick"' in byte order ('"' follows '!')
    const r = await this.#pool.query<EventRow>(
      `SELECT ${COLS} FROM events WHERE target = $1 AND source COLLATE "C" >= $2 AND source COLLATE "C" < $3 AND ${PRESENCE}` +
        ' ORDER BY time DESC, id DESC LIMIT $4',
      [target, nick + '!', nick + '"', limit],
    );
    return r.rows.reverse().map(toEvent);
  }

  async locate(target: string, msgid: string): Promise<Cursor | null> {
    const r = await this.#pool.query<{ time: string; id: string }>('SELECT time, id FROM events WHERE target = $1 AND msgid = $2 LIMIT 1', [target, msgid]);
    const row = r.rows[0];
    return row === undefined ? null : { time: Number(row.time), id: Number(row.id) };
  }

  async latestTimes(targets: readonly string[], after: number, before: number): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (targets.length === 0) return out;
    const r = await this.#pool.query<{ t: string; time: string | null }>(
      `SELECT t, (SELECT time FROM events WHERE target = t AND time > $2 AND time < $3 AND ${MSG} ORDER BY time DESC, id DESC LIMIT 1) AS time` +
        ' FROM unnest($1::text[]) AS t',
      [[...new Set(targets)], after, before],
    );
    for (const row of r.rows) if (row.time !== null) out.set(row.t, Number(row.time));
    return out;
  }

  /**
   * Bounded search: `stats.examined` counts rows read, at most `maxRows`. (1) The GIN
   * index gives the matching rows of the asked targets (no other room's rows are read),
   * up to half the budget: fewer than that = all of them, exact. (2) Otherwise, the
   * newest rows of each target (smallest room first, the rest of the budget shared),
   * tested in SQL: exact when each target is read to its start or already holds `limit`
   * hits; else `complete` is false.
   */
  async search(q: SearchQuery): Promise<StoredEvent[]> {
    const stats = q.stats ?? { examined: 0, complete: true };
    stats.examined = 0;
    stats.complete = true;
    const targets = [...new Set(q.targets)];
    if (q.words.length === 0 || targets.length === 0 || q.limit < 1) return [];
    const max = Math.max(1, q.maxRows ?? DEFAULT_SEARCH_MAX_ROWS);
    const tsq = searchQuery(q.words, targets);
    const first = Math.max(1, Math.floor(max / 2));
    const hits = new Map<string, EventRow>();
    const finish = (): StoredEvent[] =>
      [...hits.values()]
        .map(toEvent)
        .sort((a, b) => b.time - a.time || b.id - a.id)
        .slice(0, q.limit);
    const r = await this.#indexOnly<EventRow & { n: string }>(
      `SELECT ${COLS}, count(*) OVER () AS n FROM (SELECT ${COLS} FROM events WHERE words @@ $1::tsquery LIMIT $2) s` +
        ' ORDER BY time DESC, id DESC LIMIT $3',
      [tsq, first, q.limit],
    );
    const n = r.rows.length === 0 ? 0 : Number(r.rows[0]!.n);
    stats.examined = n;
    for (const row of r.rows) hits.set(row.id, row);
    if (n < first) return finish();

    // many matches: walk each room's newest rows instead
    const sizes = await this.#pool.query<{ t: string; n: string }>(
      'SELECT t, (SELECT count(*) FROM (SELECT 1 FROM events WHERE target = t LIMIT $2) x) AS n FROM unnest($1::text[]) AS t',
      [targets, max + 1],
    );
    const rooms = sizes.rows.map((s) => [s.t, Number(s.n)] as const).filter(([, k]) => k > 0).sort((a, b) => a[1] - b[1]);
    let budget = max - stats.examined;
    for (let k = 0; k < rooms.length; k++) {
      const [t, size] = rooms[k]!;
      const share = Math.floor(budget / (rooms.length - k));
      const want = Math.min(size, share);
      let looked = 0;
      let found = 0;
      if (want > 0) {
        const rows = await this.#pool.query<EventRow & { hit: boolean | null }>(
          `SELECT ${COLS}, words @@ $2::tsquery AS hit FROM events WHERE target = $1 ORDER BY time DESC, id DESC LIMIT $3`,
          [t, tsq, want],
        );
        for (const row of rows.rows) {
          looked++;
          if (row.hit === true) {
            hits.set(row.id, row);
            if (++found >= q.limit) break;
          }
        }
      }
      budget -= looked;
      stats.examined += looked;
      if (looked < size && found < q.limit) stats.complete = false;
    }
    return finish();
  }

  /**
   * Runs a GIN query with sequential scans off: the planner multiplies the word's and
   * the room's frequencies as if independent, so a common word in a busy room can look
   * common in another busy room where it never occurs, and a sequential scan would read
   * every row of every room looking for it.
   */
  async #indexOnly<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<pg.QueryResult<R>> {
    const c = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      await c.query('BEGIN');
      await c.query('SET LOCAL enable_seqscan = off');
      const r = await c.query<R>(sql, params);
      await c.query('COMMIT');
      return r;
    } catch (e) {
      broken = e as Error;
      throw e;
    } finally {
      c.release(broken);
    }
  }

  async targets(prefix: string, limit: number): Promise<string[]> {
    // starts_with, not a range scan: under a non-C collation "@a b" need not sort next to "@a c"
    const r = await this.#pool.query<{ target: string }>(
      'SELECT DISTINCT target COLLATE "C" AS target FROM events WHERE starts_with(target, $1) ORDER BY 1 LIMIT $2',
      [prefix, limit],
    );
    return r.rows.map((row) => row.target);
  }

  async renameTarget(from: string, to: string): Promise<number> {
    if (from === to) return 0;
    // the row's target lexeme moves with it, so search by room still finds it
    const r = await this.#pool.query(
      "UPDATE events SET target = $2, words = CASE WHEN words IS NULL THEN NULL ELSE ts_delete(words, '>' || $1) || $3::tsvector END WHERE target = $1",
      [from, to, targetLexeme(to)],
    );
    return r.rowCount ?? 0;
  }

  async deleteMessage(target: string, msgid: string): Promise<number> {
    const r = await this.#pool.query('DELETE FROM events WHERE target = $1 AND msgid = $2', [target, msgid]);
    return r.rowCount ?? 0;
  }

  async deleteTargets(targets: readonly string[], before: number | null): Promise<number> {
    if (targets.length === 0) return 0;
    const r = await this.#pool.query('DELETE FROM events WHERE target = ANY($1::text[]) AND time < $2', [targets, before ?? Number.MAX_SAFE_INTEGER]);
    return r.rowCount ?? 0;
  }

  async prune(p: PrunePolicy): Promise<number> {
    let budget = p.maxRows;
    if (budget <= 0 || (p.olderThan === null && p.maxPerTarget === null)) return 0;
    // distinct targets by skipping through the (target, time, id) index
    const targets = await this.#pool.query<{ target: string }>(
      `WITH RECURSIVE t(target) AS (
         SELECT MIN(target) FROM events
         UNION ALL SELECT (SELECT MIN(target) FROM events WHERE target > t.target) FROM t WHERE t.target IS NOT NULL
       ) SELECT target FROM t WHERE target IS NOT NULL`,
    );
    for (const { target } of targets.rows) {
      if (budget <= 0) break;
      if (p.olderThan !== null) {
        const r = await this.#pool.query(
          'DELETE FROM events WHERE id IN (SELECT id FROM events WHERE target = $1 AND time < $2 ORDER BY time, id LIMIT $3)',
          [target, p.olderThan, budget],
        );
        budget -= r.rowCount ?? 0;
      }
      if (p.maxPerTarget !== null && budget > 0) {
        const cut = await this.#pool.query<{ time: string; id: string }>(
          'SELECT time, id FROM events WHERE target = $1 ORDER BY time DESC, id DESC LIMIT 1 OFFSET $2',
          [target, p.maxPerTarget],
        );
        const c = cut.rows[0];
        if (c !== undefined) {
          const r = await this.#pool.query(
            'DELETE FROM events WHERE id IN (SELECT id FROM events WHERE target = $1 AND (time, id) <= ($2, $3) ORDER BY time, id LIMIT $4)',
            [target, c.time, c.id, budget],
          );
          budget -= r.rowCount ?? 0;
        }
      }
    }
    return p.maxRows - budget;
  }
}

class PostgresChannelStore implements ChannelStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async loadChannels(): Promise<ChannelState[]> {
    const r = await this.#pool.query<{ state: string }>('SELECT state FROM channels ORDER BY folded COLLATE "C"');
    return r.rows.map((row) => JSON.parse(row.state) as ChannelState);
  }

  async saveChannel(state: ChannelState): Promise<void> {
    await this.#pool.query('INSERT INTO channels (folded, state) VALUES ($1, $2) ON CONFLICT (folded) DO UPDATE SET state = excluded.state', [
      state.folded,
      JSON.stringify(state),
    ]);
  }

  async deleteChannel(folded: string): Promise<void> {
    await this.#pool.query('DELETE FROM channels WHERE folded = $1', [folded]);
  }
}

interface AccountRow {
  folded: string;
  name: string;
  created_at: string;
  credentials: string;
  flags: string;
  settings: string;
}

function toAccount(r: AccountRow): AccountRecord {
  return {
    folded: r.folded,
    name: r.name,
    createdAt: Number(r.created_at),
    credentials: JSON.parse(r.credentials) as AccountCredentials,
    flags: JSON.parse(r.flags) as string[],
    settings: JSON.parse(r.settings) as Record<string, unknown>,
  };
}

function accountParams(rec: AccountRecord): unknown[] {
  return [rec.folded, rec.name, rec.createdAt, JSON.stringify(rec.credentials), JSON.stringify(rec.flags), JSON.stringify(rec.settings)];
}

const ACCOUNT_INSERT = 'INSERT INTO accounts (folded, name, created_at, credentials, flags, settings) VALUES ($1, $2, $3, $4, $5, $6)';

class PostgresAccountStore implements AccountStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async loadAccounts(): Promise<AccountRecord[]> {
    const r = await this.#pool.query<AccountRow>('SELECT * FROM accounts');
    return r.rows.map(toAccount);
  }

  async getAccount(folded: string): Promise<AccountRecord | null> {
    const r = await this.#pool.query<AccountRow>('SELECT * FROM accounts WHERE folded = $1', [folded]);
    const row = r.rows[0];
    return row === undefined ? null : toAccount(row);
  }

  async createAccount(rec: AccountRecord): Promise<boolean> {
    // atomic: two nodes registering one name at once get one winner
    const r = await this.#pool.query(ACCOUNT_INSERT + ' ON CONFLICT (folded) DO NOTHING', accountParams(rec));
    return r.rowCount === 1;
  }

  async saveAccount(rec: AccountRecord): Promise<void> {
    await this.#pool.query(
      ACCOUNT_INSERT +
        ' ON CONFLICT (folded) DO UPDATE SET name = excluded.name, created_at = excluded.created_at, credentials = excluded.credentials, flags = excluded.flags, settings = excluded.settings',
      accountParams(rec),
    );
  }

  async deleteAccount(folded: string): Promise<boolean> {
    const r = await this.#pool.query('DELETE FROM accounts WHERE folded = $1', [folded]);
    return r.rowCount === 1;
  }
}

class PostgresSanctionStore implements SanctionStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async loadSanctions(): Promise<Sanction[]> {
    const r = await this.#pool.query<{ state: string }>('SELECT state FROM sanctions');
    return r.rows.map((row) => JSON.parse(row.state) as Sanction);
  }

  async saveSanction(s: Sanction): Promise<void> {
    await this.#pool.query('INSERT INTO sanctions (id, state) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET state = excluded.state', [s.id, JSON.stringify(s)]);
  }

  async deleteSanction(id: string): Promise<void> {
    await this.#pool.query('DELETE FROM sanctions WHERE id = $1', [id]);
  }
}
