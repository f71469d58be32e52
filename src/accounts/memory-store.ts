/** In-memory AccountStore: the reference implementation (tests, `storage: memory`). */
import type { AccountRecord, AccountStore } from '../storage/types.js';

export class MemoryAccountStore implements AccountStore {
  readonly #rows = new Map<string, AccountRecord>();
  /** test hook: when set, every call rejects with it (a dead database) */
  failWith: Error | null = null;

  #check(): void {
    if (this.failWith !== null) throw this.failWith;
  }

  async loadAccounts(): Promise<AccountRecord[]> {
    this.#check();
    return [...this.#rows.values()].map((r) => structuredClone(r));
  }

  async getAccount(folded: string): Promise<AccountRecord | null> {
    this.#check();
    const r = this.#rows.get(folded);
    return r === undefined ? null : structuredClone(r);
  }

  async createAccount(rec: AccountRecord): Promise<boolean> {
    this.#check();
    if (this.#rows.has(rec.folded)) return false;
    this.#rows.set(rec.folded, structuredClone(rec));
    return true;
  }

  async saveAccount(rec: AccountRecord): Promise<void> {
    this.#check();
    this.#rows.set(rec.folded, structuredClone(rec));
  }

  async deleteAccount(folded: string): Promise<boolean> {
    this.#check();
    return this.#rows.delete(folded);
  }
}
