/**
 * Server-wide bans and mutes, and mutes in one room, set by admins: matched by a
 * nick!user@host mask, an address or CIDR, or an account name (accounts: `accountOf`),
 * each with an optional expiry, kept in the SanctionStore across restarts. Pure state
 * with matching; src/admin/actions.ts decides what to do with a match.
 */
import { BlockList, isIP } from 'node:net';
import { compileMask, normalizeMask } from '../protocol/index.js';
import type { Sanction, SanctionStore } from '../storage/types.js';
import { normalizeAddress, parseCidr } from '../util/netmask.js';

/** What a sanction is matched against: one connected user. */
export interface Subject {
  /** nick!user@host */
  source: string;
  ip: string;
  /** the account logged in to, null without one */
  account: string | null;
}

interface Compiled {
  s: Sanction;
  matches: (who: Subject) => boolean;
}

export type SanctionInput = Omit<Sanction, 'id' | 'match' | 'value'> & { target: string };

/**
 * What TARGET means: `account:NAME`, an address or CIDR (`10.0.0.7`, `10.0.0.0/24`), or a
 * mask (anything with `!` or `@`, normalised like a channel ban). Null when it is none
 * of these (a bare nick: the caller resolves it to the user's address first).
 */
export function parseTarget(target: string): { match: Sanction['match']; value: string } | null {
  const t = target.trim();
  if (t === '' || t.length > 300 || /\s/.test(t)) return null;
  if (/^account:/i.test(t)) {
    const name = t.slice(8);
    return name === '' ? null : { match: 'account', value: name };
  }
  const slash = t.indexOf('/');
  if (isIP(normalizeAddress(slash === -1 ? t : t.slice(0, slash))) !== 0) {
    try {
      const c = parseCidr(t);
      return { match: 'ip', value: c.prefix === (c.family === 'ipv4' ? 32 : 128) ? c.address : `${c.address}/${c.prefix}` };
    } catch {
      return null;
    }
  }
  if (t.includes('!') || t.includes('@')) return { match: 'mask', value: normalizeMask(t) };
  return null;
}

export function sanctionId(kind: Sanction['kind'], scope: string, match: Sanction['match'], value: string): string {
  return `${kind} ${scope} ${match} ${value}`;
}

/** One change to the sanctions, as the cluster link carries it between nodes. */
export type SanctionChange = { put: Sanction } | { del: string };

export class Sanctions {
  readonly #fold: (s: string) => string;
  readonly #store: SanctionStore | null;
  readonly #onStoreError: (err: unknown) => void;
  /**
   * Told of every change made here (not of applyRemote ones): the cluster link
   * (src/cluster/core-link.ts) sends it to the other nodes, which share the store.
   */
  onChange: ((change: SanctionChange) => void) | null = null;
  /** bans and mutes apart: the per-message mute check never walks the bans */
  #bans: Compiled[] = [];
  #mutes: Compiled[] = [];

  constructor(fold: (s: string) => string, store: SanctionStore | null, onStoreError: (err: unknown) => void) {
    this.#fold = fold;
    this.#store = store;
    this.#onStoreError = onStoreError;
  }

  get size(): number {
    return this.#bans.length + this.#mutes.length;
  }

  /** Every sanction, bans first. */
  list(): Sanction[] {
    return [...this.#bans, ...this.#mutes].map((c) => c.s);
  }

  /** Loads what the store kept, dropping what expired while the server was down. */
  async load(now: number): Promise<number> {
    if (this.#store === null) return 0;
    let n = 0;
    for (const s of await this.#store.loadSanctions()) {
      if (s.expiresAt !== null && s.expiresAt <= now) {
        await this.#store.deleteSanction(s.id);
        continue;
      }
      this.#put(s);
      n++;
    }
    return n;
  }

  /** Adds (or replaces: same kind, scope and target) a sanction; returns it. */
  add(input: SanctionInput): Sanction | string {
    const t = parseTarget(input.target);
    if (t === null) return `"${input.target}" is not a mask (nick!user@host), an address or CIDR, or account:NAME`;
    const scope = input.scope === '*' ? '*' : this.#fold(input.scope);
    const { target: _target, ...rest } = input;
    const s: Sanction = { ...rest, scope, id: sanctionId(input.kind, scope, t.match, t.value), match: t.match, value: t.value };
    this.#put(s);
    this.#save(s);
    this.onChange?.({ put: s });
    return s;
  }

  /**
   * A change another node made (and saved in the shared store): applied in memory only.
   * Returns the sanction put, or null (a removal, or nothing to do).
   */
  applyRemote(change: SanctionChange): Sanction | null {
    if ('put' in change) {
      const x = change.put;
      if (typeof x.id !== 'string' || typeof x.value !== 'string' || (x.kind !== 'ban' && x.kind !== 'mute')) return null;
      this.#put(x);
      return change.put;
    }
    for (const list of [this.#bans, this.#mutes]) {
      const i = list.findIndex((c) => c.s.id === change.del);
      if (i >= 0) list.splice(i, 1);
    }
    return null;
  }

  /** A room was renamed: its sanctions move from scope `from` to `to` (both folded). */
  rescope(from: string, to: string): void {
    for (const s of this.list()) {
      if (s.scope !== from) continue;
      const target = s.match === 'account' ? 'account:' + s.value : s.value;
      const { id: _id, match: _m, value: _v, ...rest } = s;
      this.remove(s.kind, from, target);
      this.add({ ...rest, scope: to, target });
    }
  }

  /** Lifts the sanction of `kind` on `target` in `scope`; the removed one, or null. */
  remove(kind: Sanction['kind'], scope: string, target: string): Sanction | null {
    const t = parseTarget(target);
    if (t === null) return null;
    const id = sanctionId(kind, scope === '*' ? '*' : this.#fold(scope), t.match, t.value);
    const list = kind === 'ban' ? this.#bans : this.#mutes;
    const i = list.findIndex((c) => c.s.id === id);
    if (i < 0) return null;
    const [gone] = list.splice(i, 1);
    this.#delete(id);
    this.onChange?.({ del: id });
    return gone!.s;
  }

  /** The ban `who` is under on the server (channel null) or in `channel` (folded), or null. */
  bannedBy(who: Subject, channel: string | null): Sanction | null {
    for (const c of this.#bans) if ((channel === null ? c.s.scope === '*' : c.s.scope === channel) && c.matches(who)) return c.s;
    return null;
  }

  /** Does sanction `s` (one of ours) apply to `who`? */
  matches(s: Sanction, who: Subject): boolean {
    const c = (s.kind === 'ban' ? this.#bans : this.#mutes).find((x) => x.s === s);
    return c !== undefined && c.matches(who);
  }

  /** Would `s` (ours or not, e.g. one just expired) apply to `who`? */
  matchesSanction(s: Sanction, who: Subject): boolean {
    return this.#compile(s)(who);
  }

  /** The mute `who` is under in `channel` (folded; null = a private message), or null. */
  mutedBy(who: Subject, channel: string | null): Sanction | null {
    if (this.#mutes.length === 0) return null; // the hot path: nobody is muted
    for (const c of this.#mutes) if ((c.s.scope === '*' || c.s.scope === channel) && c.matches(who)) return c.s;
    return null;
  }

  /** Drops the sanctions expired at `now` (housekeeping, once a second); returns them. */
  expire(now: number): Sanction[] {
    const gone: Sanction[] = [];
    const keep = (list: Compiled[]): Compiled[] =>
      list.filter((c) => {
        if (c.s.expiresAt === null || c.s.expiresAt > now) return true;
        gone.push(c.s);
        this.#delete(c.s.id);
        return false;
      });
    if (this.#bans.some((c) => c.s.expiresAt !== null && c.s.expiresAt <= now)) this.#bans = keep(this.#bans);
    if (this.#mutes.some((c) => c.s.expiresAt !== null && c.s.expiresAt <= now)) this.#mutes = keep(this.#mutes);
    return gone;
  }

  #put(s: Sanction): void {
    const list = s.kind === 'ban' ? this.#bans : this.#mutes;
    const i = list.findIndex((c) => c.s.id === s.id);
    const c = { s, matches: this.#compile(s) };
    if (i >= 0) list[i] = c;
    else list.push(c);
  }

  #compile(s: Sanction): (who: Subject) => boolean {
    if (s.match === 'account') {
      const want = this.#fold(s.value);
      return (who) => who.account !== null && this.#fold(who.account) === want;
    }
    if (s.match === 'ip') {
      const c = parseCidr(s.value);
      const list = new BlockList();
      list.addSubnet(c.address, c.prefix, c.family);
      return (who) => {
        const a = normalizeAddress(who.ip);
        const v = isIP(a);
        return v !== 0 && list.check(a, v === 4 ? 'ipv4' : 'ipv6');
      };
    }
    const m = compileMask(s.value, this.#fold);
    return (who) => m(this.#fold(who.source));
  }

  // written in call order (the SQLite writer runs its requests in order); a failure is
  // logged, the sanction holds in memory
  #save(s: Sanction): void {
    this.#store?.saveSanction(s).catch(this.#onStoreError);
  }

  #delete(id: string): void {
    this.#store?.deleteSanction(id).catch(this.#onStoreError);
  }
}
