/**
 * Versioned schema for the SQLite store. `PRAGMA user_version` holds the number of
 * migrations applied; each runs once, in its own transaction, in order. Append new
 * migrations at the end; never edit one that has shipped.
 */
import type Database from 'better-sqlite3';

export const MIGRATIONS: readonly string[] = [
  // 1: history with full-text search, channel state
  `
  CREATE TABLE events (
    id      INTEGER PRIMARY KEY,
    target  TEXT    NOT NULL,          -- casefolded channel
    time    INTEGER NOT NULL,          -- ms since epoch
    msgid   TEXT    NOT NULL,
    command TEXT    NOT NULL,
    source  TEXT    NOT NULL,
    params  TEXT    NOT NULL,          -- JSON array of IRC parameters
    tags    TEXT    NOT NULL DEFAULT '',
    body    TEXT                       -- searchable text (PRIVMSG/NOTICE), else NULL
  );
  -- rowid (id) is implicitly the last column: the (target, time, id) order key
  CREATE INDEX events_target_time ON events (target, time);
  CREATE INDEX events_msgid ON events (msgid);
  CREATE VIRTUAL TABLE events_fts USING fts5 (
    body, content = 'events', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER events_ai AFTER INSERT ON events WHEN new.body IS NOT NULL BEGIN
    INSERT INTO events_fts (rowid, body) VALUES (new.id, new.body);
  END;
  CREATE TRIGGER events_ad AFTER DELETE ON events WHEN old.body IS NOT NULL BEGIN
    INSERT INTO events_fts (events_fts, rowid, body) VALUES ('delete', old.id, old.body);
  END;
  CREATE TABLE channels (
    folded TEXT PRIMARY KEY,
    state  TEXT NOT NULL               -- JSON ChannelState
  ) WITHOUT ROWID;
  `,
  // 2: full-text indexing leaves the append transaction. New rows are indexed into
  // events_fts in background batches (SqliteHistoryStore#indexPending); fts_progress
  // holds the highest events.id already indexed, so a restart indexes what was not.
  // Everything appended before this migration was indexed by the trigger.
  `
  DROP TRIGGER events_ai;
  CREATE TABLE fts_progress (
    k       INTEGER PRIMARY KEY CHECK (k = 0),
    indexed INTEGER NOT NULL           -- every events.id <= this is in events_fts
  );
  INSERT INTO fts_progress (k, indexed) SELECT 0, COALESCE(MAX(id), 0) FROM events;
  `,
  // 3: messages only, for "the last N messages" (JOIN replay, HISTORY). Through
  // events_target_time that query walked back over every JOIN/PART/QUIT row, so each of
  // 2,000 joins into a quiet room read all the joins before it (quadratic).
  `
  CREATE INDEX events_target_messages ON events (target, time) WHERE command IN ('PRIVMSG', 'NOTICE');
  `,
  // 4: when a nick was last in a room (HistoryStore.presence): its JOIN/PART/QUIT/NICK
  // rows by source, so the lookup reads that nick's rows only.
  `
  CREATE INDEX events_presence ON events (target, source, time) WHERE command IN ('JOIN', 'PART', 'QUIT', 'NICK');
  `,
  // accounts (src/accounts/): password verifiers, flags and settings as JSON
  `
  CREATE TABLE accounts (
    folded      TEXT PRIMARY KEY,      -- casefolded account name
    name        TEXT NOT NULL,         -- as registered
    created_at  INTEGER NOT NULL,      -- ms since epoch
    credentials TEXT NOT NULL,         -- JSON AccountCredentials (no plaintext)
    flags       TEXT NOT NULL,         -- JSON array, e.g. ["admin"]
    settings    TEXT NOT NULL          -- JSON object
  ) WITHOUT ROWID;
  `,
  // shared files' metadata (src/files/); the bytes are in <dataDir>/files/<id>
  `
  CREATE TABLE files (
    id         TEXT PRIMARY KEY,
    name       TEXT    NOT NULL,
    type       TEXT    NOT NULL,
    size       INTEGER NOT NULL,
    owner      TEXT    NOT NULL,
    nick       TEXT    NOT NULL,
    target     TEXT    NOT NULL,
    created_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX files_created ON files (created_at, id);
  `,
  // server-wide bans and mutes, and mutes per room (SanctionStore, src/admin/sanctions.ts)
  `
  CREATE TABLE sanctions (
    id    TEXT PRIMARY KEY,            -- kind, scope, match, value
    state TEXT NOT NULL                -- JSON Sanction
  ) WITHOUT ROWID;
  `,
];

/** Brings the database up to the latest schema; returns the version it was at. */
export function migrate(db: Database.Database): number {
  const from = db.pragma('user_version', { simple: true }) as number;
  if (from > MIGRATIONS.length) {
    throw new Error(`database schema version ${from} is newer than this tincan understands (${MIGRATIONS.length}); upgrade tincan`);
  }
  for (let v = from; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return from;
}
