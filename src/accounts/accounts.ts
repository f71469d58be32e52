/**
 * The running server's accounts: every AccountRecord kept in memory (loaded once at
 * startup; writes go to the store first, then here), so the synchronous core can ask
 * "is this nick registered?" on every NICK without a query. Names are folded with the
 * server's casemapping, like nicks: an account name is a nick.
 *
 * Methods that change state reserve or check synchronously before their first await,
 * so two sessions racing for one name cannot both win (see register()).
 */
import type { AccountCredentials, AccountRecord, AccountStore } from '../storage/types.js';
import { checkPassword, dummyCheck, makeCredentials } from './password.js';

export type RegisterOutcome = { ok: true; record: AccountRecord } | { ok: false; reason: 'exists' | 'unavailable' };

export class Accounts {
  readonly store: AccountStore;
  readonly #fold: (s: string) => string;
  readonly #byFolded = new Map<string, AccountRecord>();
  /** names being registered right now (hashing or writing): taken for everyone else */
  readonly #pending = new Set<string>();
  /** per account: the tail of its queued store writes (update, drop) */
  readonly #writes = new Map<string, Promise<unknown>>();
  /** told (synchronously) when an account is dropped: its private history goes (IrcServer) */
  onDrop: ((folded: string) => void) | null = null;
  /** told after an account was created, changed or dropped here (the cluster tells the other nodes) */
  onChange: ((folded: string) => void) | null = null;

  constructor(store: AccountStore, fold: (s: string) => string) {
    this.store = store;
    this.#fold = fold;
  }

  /** Reads every account from the store; returns how many. Call once before serving. */
  async load(): Promise<number> {
    const all = await this.store.loadAccounts();
    this.#byFolded.clear();
    for (const r of all) this.#byFolded.set(r.folded, r);
    return all.length;
  }

  get size(): number {
    return this.#byFolded.size;
  }

  /** The account named `name` (any case), if registered. Do not mutate it: use update(). */
  get(name: string): AccountRecord | undefined {
    return this.#byFolded.get(this.#fold(name));
  }

  /** Whether the account `name` carries `flag` (e.g. 'admin'). */
  hasFlag(name: string, flag: string): boolean {
    return this.get(name)?.flags.includes(flag) === true;
  }

  /** Registered, or being registered right now. */
  taken(name: string): boolean {
    const f = this.#fold(name);
    return this.#byFolded.has(f) || this.#pending.has(f);
  }

  /**
   * Creates an account. The name is reserved synchronously (a second register() for it
   * before this settles gets 'exists'); hashing runs in the thread pool; the record is
   * visible here only once the store has it. A store failure or a busy hash queue
   * gives 'unavailable' and frees the name.
   */
  register(name: string, password: string, now: number, scramIterations: number): Promise<RegisterOutcome> {
    const folded = this.#fold(name);
    if (this.#byFolded.has(folded) || this.#pending.has(folded)) return Promise.resolve({ ok: false, reason: 'exists' });
    this.#pending.add(folded);
    return (async (): Promise<RegisterOutcome> => {
      try {
        const credentials = await makeCredentials(password, scramIterations);
        const record: AccountRecord = { folded, name, createdAt: now, credentials, flags: [], settings: {} };
        // behind a drop of the same name still being written, so its delete cannot follow this insert
        if (!(await this.#serial(folded, () => this.store.createAccount(record)))) return { ok: false, reason: 'exists' };
        this.#byFolded.set(folded, record);
        this.onChange?.(folded);
        return { ok: true, record };
      } catch {
        return { ok: false, reason: 'unavailable' };
      } finally {
        this.#pending.delete(folded);
      }
    })();
  }

  /**
   * The account if `password` is its password, else null (an unknown name costs the
   * same hash, so timing tells nothing). Rejects with HashBusyError when overloaded.
   */
  async verify(name: string, password: string): Promise<AccountRecord | null> {
    const rec = this.get(name);
    if (rec === undefined) {
      await dummyCheck(password);
      return null;
    }
    const ok = await checkPassword(password, rec.credentials);
    // dropped, re-registered or given a new password while hashing: the answer is about
    // credentials that are gone (a settings update meanwhile changes nothing)
    const cur = this.#byFolded.get(rec.folded);
    return ok && cur !== undefined && cur.credentials.scrypt.hash === rec.credentials.scrypt.hash ? cur : null;
  }

  /**
   * Replaces an account's record through `change` (flags, settings, credentials),
   * store first. Resolves to the new record, or null when the account does not exist.
   */
  update(name: string, change: (r: AccountRecord) => AccountRecord): Promise<AccountRecord | null> {
    const folded = this.#fold(name);
    // one write at a time per account, each applied to the record the previous one left:
    // two features changing settings at once (tokens, read markers) both keep their change
    return this.#serial(folded, async () => {
      const rec = this.#byFolded.get(folded);
      if (rec === undefined) return null;
      const next = change(structuredClone(rec));
      if (next.folded !== rec.folded) throw new Error('Accounts.update: an account keeps its name');
      await this.store.saveAccount(next);
      // dropped meanwhile: drop() queued its delete behind this save, so the row goes too
      if (this.#byFolded.get(folded) !== rec) return null;
      this.#byFolded.set(folded, next);
      this.onChange?.(folded);
      return next;
    });
  }

  /** Runs `job` after every earlier write of account `folded` has settled. */
  #serial<T>(folded: string, job: () => Promise<T>): Promise<T> {
    const prev = this.#writes.get(folded) ?? Promise.resolve();
    const run = prev.then(job);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.#writes.set(folded, tail);
    void tail.then(() => {
      if (this.#writes.get(folded) === tail) this.#writes.delete(folded);
    });
    return run;
  }

  /** New verifiers for a new password (the caller checked passwordProblem()). */
  async setPassword(name: string, password: string, scramIterations: number): Promise<AccountRecord | null> {
    const credentials: AccountCredentials = await makeCredentials(password, scramIterations);
    return this.update(name, (r) => ({ ...r, credentials }));
  }

  /** Deletes the account (gone from memory at once, then from the store). */
  async drop(name: string): Promise<boolean> {
    const folded = this.#fold(name);
    if (!this.#byFolded.delete(folded)) return false;
    this.onDrop?.(folded);
    // after any save in flight, so a concurrent update() cannot write the row back
    await this.#serial(folded, () => this.store.deleteAccount(folded));
    this.onChange?.(folded);
    return true;
  }

  /**
   * Reads one account again from the (shared) store: another node created, changed or
   * dropped it. Queued behind this node's own writes of that account.
   */
  refresh(folded: string): Promise<void> {
    return this.#serial(folded, async () => {
      const rec = await this.store.getAccount(folded);
      if (rec === null) {
        if (this.#byFolded.delete(folded)) this.onDrop?.(folded);
      } else this.#byFolded.set(folded, rec);
    });
  }
}
