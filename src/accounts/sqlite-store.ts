/**
 * AccountStore in the server's SQLite database (table `accounts`, see
 * src/storage/sqlite/migrations.ts). Synchronous inside (better-sqlite3).
 */
import type Database from 'better-sqlite3';
import type { AccountCredentials, AccountRecord, AccountStore } from '../storage/types.js';

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

export class SqliteAccountStore implements AccountStore {
  readonly #all: Database.Statement<[], Row>;
  readonly #get: Database.Statement<[string], Row>;
  readonly #insert: Database.Statement<[Row]>;
  readonly #upsert: Database.Statement<[Row]>;
  readonly #delete: Database.Statement<[string]>;

  constructor(db: Database.Database) {
    this.#all = db.prepare('SELECT * FROM accounts');
    this.#get = db.prepare('SELECT * FROM accounts WHERE folded = ?');
    const cols = '(folded, name, created_at, credentials, flags, settings) VALUES (@folded, @name, @created_at, @credentials, @flags, @settings)';
    this.#insert = db.prepare('INSERT OR IGNORE INTO accounts ' + cols);
    this.#upsert = db.prepare('INSERT OR REPLACE INTO accounts ' + cols);
    this.#delete = db.prepare('DELETE FROM accounts WHERE folded = ?');
  }

  async loadAccounts(): Promise<AccountRecord[]> {
    return this.#all.all().map(toRecord);
  }

  async getAccount(folded: string): Promise<AccountRecord | null> {
    const r = this.#get.get(folded);
    return r === undefined ? null : toRecord(r);
  }

  async createAccount(rec: AccountRecord): Promise<boolean> {
    return this.#insert.run(toRow(rec)).changes === 1;
  }

  async saveAccount(rec: AccountRecord): Promise<void> {
    this.#upsert.run(toRow(rec));
  }

  async deleteAccount(folded: string): Promise<boolean> {
    // TODO offline messages: delete the account's private history in this transaction
    return this.#delete.run(folded).changes === 1;
  }
}
