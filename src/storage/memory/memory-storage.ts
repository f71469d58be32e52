/**
 * In-memory history and channel stores: the reference implementation of the contracts
 * in ../types.ts, used by tests and by `storage: memory` (history lasts until restart).
 * Per target, events are kept sorted by (time, id) so range queries are binary searches.
 */
import type {
  ChannelState,
  ChannelStore,
  Cursor,
  FileStore,
  HistoryStore,
  NewEvent,
  PrunePolicy,
  RangeQuery,
  SearchQuery,
  Storage,
  StoredEvent,
  StoredFile,
  Sanction,
  SanctionStore,
} from '../types.js';
import { DEFAULT_SEARCH_MAX_ROWS, PRESENCE_COMMANDS } from '../types.js';
import { MemoryAccountStore } from '../../accounts/memory-store.js';
import { matchesWords, searchableText, tokenize } from '../search-text.js';

interface Row extends StoredEvent {
  tokens: string[] | null;
}

function cmp(a: Cursor, b: Cursor): number {
  return a.time !== b.time ? a.time - b.time : a.id - b.id;
}

/** Index of the first row > c (or >= c when `inclusive`). */
function lowerBound(rows: readonly Row[], c: Cursor, inclusive: boolean): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const d = cmp(rows[mid]!, c);
    if (d < 0 || (d === 0 && !inclusive)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const isMessage = (command: string): boolean => command === 'PRIVMSG' || command === 'NOTICE';

function strip(r: Row): StoredEvent {
  return { id: r.id, target: r.target, msgid: r.msgid, time: r.time, command: r.command, source: r.source, params: r.params, tags: r.tags };
}

export class MemoryHistoryStore implements HistoryStore {
  readonly #byTarget = new Map<string, Row[]>();
  #nextId = 1;
  /** test hook: when set, every call rejects with it (a dead database) */
  failWith: Error | null = null;

  #check(): void {
    if (this.failWith !== null) throw this.failWith;
  }

  async append(events: readonly NewEvent[]): Promise<void> {
    this.#check();
    for (const e of events) {
      const text = searchableText(e.command, e.params);
      const row: Row = { ...e, params: [...e.params], id: this.#nextId++, tokens: text === null ? null : tokenize(text) };
      let rows = this.#byTarget.get(e.target);
      if (rows === undefined) this.#byTarget.set(e.target, (rows = []));
      const last = rows[rows.length - 1];
      if (last === undefined || cmp(last, row) < 0) rows.push(row);
      else rows.splice(lowerBound(rows, row, true), 0, row);
    }
  }

  async range(q: RangeQuery): Promise<StoredEvent[]> {
    this.#check();
    const rows = this.#byTarget.get(q.target) ?? [];
    let lo = q.after === null ? 0 : lowerBound(rows, q.after, false);
    let hi = q.before === null ? rows.length : lowerBound(rows, q.before, true);
    const want = (r: Row): boolean => q.kinds === 'all' || isMessage(r.command);
    const out: Row[] = [];
    if (q.from === 'oldest') {
      for (; lo < hi && out.length < q.limit; lo++) if (want(rows[lo]!)) out.push(rows[lo]!);
    } else {
      for (hi--; hi >= lo && out.length < q.limit; hi--) if (want(rows[hi]!)) out.push(rows[hi]!);
      out.reverse();
    }
    return out.map(strip);
  }

  async presence(target: string, nick: string, limit: number): Promise<StoredEvent[]> {
    this.#check();
    const rows = this.#byTarget.get(target) ?? [];
    const prefix = nick + '!';
    const out: Row[] = [];
    for (let i = rows.length - 1; i >= 0 && out.length < limit; i--) {
      const r = rows[i]!;
      if (PRESENCE_COMMANDS.includes(r.command) && r.source.startsWith(prefix)) out.push(r);
    }
    return out.reverse().map(strip);
  }

  async locate(target: string, msgid: string): Promise<Cursor | null> {
    this.#check();
    const r = (this.#byTarget.get(target) ?? []).find((x) => x.msgid === msgid);
    return r === undefined ? null : { time: r.time, id: r.id };
  }

  async latestTimes(targets: readonly string[], after: number, before: number): Promise<Map<string, number>> {
    this.#check();
    const out = new Map<string, number>();
    for (const t of targets) {
      const rows = this.#byTarget.get(t) ?? [];
      for (let i = rows.length - 1; i >= 0; i--) {
        const r = rows[i]!;
        if (r.time >= before || !isMessage(r.command)) continue;
        if (r.time > after) out.set(t, r.time);
        break;
      }
    }
    return out;
  }

  async search(q: SearchQuery): Promise<StoredEvent[]> {
    this.#check();
    const stats = q.stats ?? { examined: 0, complete: true };
    stats.examined = 0;
    stats.complete = true;
    if (q.words.length === 0) return [];
    // only the asked targets, smallest first so their unused share goes to the bigger
    const lists: Row[][] = [];
    for (const t of new Set(q.targets)) {
      const rows = this.#byTarget.get(t);
      if (rows !== undefined) lists.push(rows);
    }
    lists.sort((a, b) => a.length - b.length);
    let budget = q.maxRows ?? DEFAULT_SEARCH_MAX_ROWS;
    const hits: Row[] = [];
    for (let k = 0; k < lists.length; k++) {
      const rows = lists[k]!;
      const share = Math.floor(budget / (lists.length - k));
      // newest first; a target's older hits cannot beat its `limit` newer ones
      let i = rows.length - 1;
      let found = 0;
      for (; i >= 0 && rows.length - 1 - i < share && found < q.limit; i--) {
        const r = rows[i]!;
        if (r.tokens !== null && matchesWords(r.tokens, q.words)) {
          hits.push(r);
          found++;
        }
      }
      const looked = rows.length - 1 - i;
      budget -= looked;
      stats.examined += looked;
      if (i >= 0 && found < q.limit) stats.complete = false;
    }
    hits.sort((a, b) => cmp(b, a));
    return hits.slice(0, q.limit).map(strip);
  }

  async prune(p: PrunePolicy): Promise<number> {
    this.#check();
    let budget = p.maxRows;
    for (const [t, rows] of this.#byTarget) {
      if (budget <= 0) break;
      let n = 0;
      if (p.olderThan !== null) while (n < rows.length && rows[n]!.time < p.olderThan) n++;
      if (p.maxPerTarget !== null) n = Math.max(n, rows.length - p.maxPerTarget);
      n = Math.min(n, budget);
      if (n > 0) rows.splice(0, n);
      budget -= n;
      if (rows.length === 0) this.#byTarget.delete(t);
    }
    return p.maxRows - budget;
  }

  async targets(prefix: string, limit: number): Promise<string[]> {
    this.#check();
    const out: string[] = [];
    for (const t of this.#byTarget.keys()) if (t.startsWith(prefix)) out.push(t);
    return out.sort().slice(0, limit);
  }

  async renameTarget(from: string, to: string): Promise<number> {
    this.#check();
    const rows = this.#byTarget.get(from);
    if (rows === undefined || from === to) return 0;
    this.#byTarget.delete(from);
    for (const r of rows) r.target = to;
    const into = this.#byTarget.get(to);
    const all = into === undefined ? rows : [...into, ...rows].sort((a, b) => a.time - b.time || a.id - b.id);
    this.#byTarget.set(to, all);
    return rows.length;
  }

  async deleteMessage(target: string, msgid: string): Promise<number> {
    this.#check();
    const rows = this.#byTarget.get(target);
    const i = rows?.findIndex((x) => x.msgid === msgid) ?? -1;
    if (rows === undefined || i < 0) return 0;
    rows.splice(i, 1);
    if (rows.length === 0) this.#byTarget.delete(target);
    return 1;
  }

  async deleteTargets(targets: readonly string[], before: number | null): Promise<number> {
    this.#check();
    let n = 0;
    for (const t of targets) {
      const rows = this.#byTarget.get(t);
      if (rows === undefined) continue;
      const cut = before === null ? rows.length : lowerBound(rows, { time: before, id: 0 }, true);
      rows.splice(0, cut);
      n += cut;
      if (rows.length === 0) this.#byTarget.delete(t);
    }
    return n;
  }
}

export class MemoryChannelStore implements ChannelStore {
  readonly #rows = new Map<string, ChannelState>();
  failWith: Error | null = null;

  async loadChannels(): Promise<ChannelState[]> {
    if (this.failWith !== null) throw this.failWith;
    return [...this.#rows.values()].map((s) => structuredClone(s));
  }

  async saveChannel(state: ChannelState): Promise<void> {
    if (this.failWith !== null) throw this.failWith;
    this.#rows.set(state.folded, structuredClone(state));
  }

  async deleteChannel(folded: string): Promise<void> {
    if (this.failWith !== null) throw this.failWith;
    this.#rows.delete(folded);
  }
}

export class MemoryFileStore implements FileStore {
  readonly #files = new Map<string, StoredFile>();
  async addFile(f: StoredFile): Promise<void> {
    if (this.#files.has(f.id)) throw new Error(`file ${f.id} exists`);
    this.#files.set(f.id, { ...f });
  }
  async getFile(id: string): Promise<StoredFile | null> {
    const f = this.#files.get(id);
    return f === undefined ? null : { ...f };
  }
  async deleteFile(id: string): Promise<void> {
    this.#files.delete(id);
  }
  async listFiles(): Promise<StoredFile[]> {
    return [...this.#files.values()].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((f) => ({ ...f }));
  }
}

export class MemorySanctionStore implements SanctionStore {
  readonly #rows = new Map<string, Sanction>();
  failWith: Error | null = null;

  async loadSanctions(): Promise<Sanction[]> {
    if (this.failWith !== null) throw this.failWith;
    return [...this.#rows.values()].map((s) => structuredClone(s));
  }

  async saveSanction(s: Sanction): Promise<void> {
    if (this.failWith !== null) throw this.failWith;
    this.#rows.set(s.id, structuredClone(s));
  }

  async deleteSanction(id: string): Promise<void> {
    if (this.failWith !== null) throw this.failWith;
    this.#rows.delete(id);
  }
}

export class MemoryStorage implements Storage {
  readonly kind = 'memory';
  readonly history = new MemoryHistoryStore();
  readonly channels = new MemoryChannelStore();
  readonly accounts = new MemoryAccountStore();
  readonly files = new MemoryFileStore();
  readonly sanctions = new MemorySanctionStore();
  async close(): Promise<void> {}
}
