/**
 * Versioned schema for the PostgreSQL store, like ../sqlite/migrations.ts: the
 * `schema_version` table holds the number of migrations applied; each runs once, in its
 * own transaction, in order. Several nodes may start at once: they take one advisory
 * lock, so exactly one migrates and the others find the work done. A database newer than
 * this code is refused. Append new migrations at the end; never edit one that shipped.
 */
import type pg from 'pg';

export const MIGRATIONS: readonly string[] = [
  // 1: history, searchable through a GIN index, and channel state
  `
  CREATE TABLE events (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- append order
    target  TEXT   NOT NULL,          -- casefolded channel
    time    BIGINT NOT NULL,          -- ms since epoch
    msgid   TEXT   NOT NULL,
    command TEXT   NOT NULL,
    source  TEXT   NOT NULL,
    params  TEXT   NOT NULL,          -- JSON array of IRC parameters
    tags    TEXT   NOT NULL DEFAULT '',
    -- PRIVMSG/NOTICE only: the folded words (search-text.ts tokenize) plus one lexeme
    -- '>' || target, so the GIN index answers "these words in these rooms" by itself
    words   TSVECTOR
  );
  CREATE INDEX events_target_time ON events (target, time, id);
  -- unique: an append retried after a timeout whose first try did commit is not stored twice
  CREATE UNIQUE INDEX events_msgid ON events (target, msgid);
  CREATE INDEX events_target_messages ON events (target, time, id) WHERE command IN ('PRIVMSG', 'NOTICE');
  CREATE INDEX events_presence ON events (target, source COLLATE "C", time, id) WHERE command IN ('JOIN', 'PART', 'QUIT', 'NICK');
  CREATE INDEX events_words ON events USING GIN (words);
  CREATE TABLE channels (
    folded TEXT PRIMARY KEY,
    state  TEXT NOT NULL              -- JSON ChannelState
  );
  `,
  // 2: registered accounts (src/accounts/, docs/accounts.md); JSON like the SQLite table
  `
  CREATE TABLE accounts (
    folded      TEXT PRIMARY KEY,
    name        TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    credentials TEXT   NOT NULL,      -- JSON AccountCredentials (verifiers only)
    flags       TEXT   NOT NULL,      -- JSON array
    settings    TEXT   NOT NULL       -- JSON object
  );
  `,
  // 3: server-wide bans and mutes, and mutes per room (SanctionStore, src/admin/sanctions.ts)
  `
  CREATE TABLE sanctions (
    id    TEXT PRIMARY KEY,           -- kind, scope, match, value
    state TEXT NOT NULL               -- JSON Sanction
  );
  `,
];

/** Any constant: the advisory lock key that serialises migrations across nodes. */
const MIGRATE_LOCK = 0x7469_6e63; // "tinc"
/** the client-side bound on one migration step (or on waiting for another node's) */
const MIGRATE_TIMEOUT_MS = 3_600_000;

/** Brings the database up to the latest schema; returns the version it was at. */
export async function migrate(pool: pg.Pool, migrations: readonly string[] = MIGRATIONS): Promise<number> {
  const c = await pool.connect();
  // a migration (an index on a big table) or waiting for another node's may take longer
  // than the pool's statement timeouts: none on this connection, which is closed after
  // (pg honours a per-query query_timeout; @types/pg does not list it)
  const long = (text: string, values: unknown[] = []) => c.query({ text, values, query_timeout: MIGRATE_TIMEOUT_MS } as pg.QueryConfig);
  try {
    await c.query('SET statement_timeout = 0');
    await long('SELECT pg_advisory_lock($1)', [MIGRATE_LOCK]);
    try {
      await c.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
      const r = await c.query<{ version: number }>('SELECT version FROM schema_version');
      let from = r.rows[0]?.version ?? 0;
      if (r.rows.length === 0) await c.query('INSERT INTO schema_version (version) VALUES (0)');
      if (from > migrations.length) {
        throw new Error(`database schema version ${from} is newer than this tincan understands (${migrations.length}); upgrade tincan`);
      }
      const start = from;
      for (; from < migrations.length; from++) {
        await c.query('BEGIN');
        try {
          await long(migrations[from]!);
          await c.query('UPDATE schema_version SET version = $1', [from + 1]);
          await c.query('COMMIT');
        } catch (e) {
          await c.query('ROLLBACK').catch(() => {});
          throw new Error(`schema migration ${from + 1} failed: ${(e as Error).message}`, { cause: e });
        }
      }
      return start;
    } finally {
      await c.query('SELECT pg_advisory_unlock($1)', [MIGRATE_LOCK]);
    }
  } finally {
    // closed, not pooled: it has no statement timeout (closing also drops the lock)
    c.release(true);
  }
}
