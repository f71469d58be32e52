/**
 * AccountStore in the server's SQLite database (table `accounts`, see
 * src/storage/sqlite/migrations.ts). Reads on the caller's connection (synchronous,
 * better-sqlite3); writes through `exec`, the store's writer (SqliteStorage: the
 * writer thread for `tincan serve`, so a slow disk never holds the event loop), which
 * resolves once committed: a read after an awaited write sees it (WAL).
 */
import type Database from 'better-sqlite3';
import type { AccountCredentials, AccountRecord, AccountStore } from '../storage/types.js';
import type { ExecStatement } from '../storage/sqlite/writer.js';

/** Runs write statements in one transaction on the write connection; resolves with the last one's changes. */
export type Exec = (stmts: readonly ExecStatement[]) => Promise<number>;

interface Row {
  folded: string;
  name: string;
  created_at: number;
  credentials: string;
  flags: string;
  settings: string;
}

function toRecord(r: Row): AccountRecord {
  return {
    folded: r.folded,
    name: r.name,
    createdAt: r.created_at,
    credentials: JSON.parse(r.credentials) as AccountCredentials,
    flags: JSON.parse(r.flags) as string[],
    settings: JSON.parse(r.settings) as Record<string, unknown>,
  };
}

function toRow(rec: AccountRecord): Row {
  return {
    folded: rec.folded,
    name: rec.name,
    created_at: rec.createdAt,
    credentials: JSON.stringify(rec.credentials),
    flags: JSON.stringify(rec.flags),
    settings: JSON.stringify(rec.settings),
  };
}

const COLS = '(folded, name, created_at, credentials, flags, settings) VALUES (@folded, @name, @created_at, @credentials, @flags, @settings)';
const INSERT = 'INSERT OR IGNORE INTO accounts ' + COLS;
const UPSERT = 'INSERT OR REPLACE INTO accounts ' + COLS;
const DELETE = 'DELETE FROM accounts WHERE folded = ?';

export class SqliteAccountStore implements AccountStore {
  readonly #all: Database.Statement<[], Row>;
  readonly #get: Database.Statement<[string], Row>;
  readonly #exec: Exec;

  constructor(db: Database.Database, exec: Exec) {
    this.#all = db.prepare('SELECT * FROM accounts');
    this.#get = db.prepare('SELECT * FROM accounts WHERE folded = ?');
    this.#exec = exec;
  }

  async loadAccounts(): Promise<AccountRecord[]> {
    return this.#all.all().map(toRecord);
  }

  async getAccount(folded: string): Promise<AccountRecord | null> {
    const r = this.#get.get(folded);
    return r === undefined ? null : toRecord(r);
  }

  async createAccount(rec: AccountRecord): Promise<boolean> {
    return (await this.#exec([{ sql: INSERT, params: [toRow(rec)] }])) === 1;
  }

  async saveAccount(rec: AccountRecord): Promise<void> {
    await this.#exec([{ sql: UPSERT, params: [toRow(rec)] }]);
  }

  async deleteAccount(folded: string): Promise<boolean> {
    // TODO offline messages: delete the account's private history in this transaction
    return (await this.#exec([{ sql: DELETE, params: [folded] }])) === 1;
  }
}
