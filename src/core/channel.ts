/**
 * A channel: members with their status, topic, modes, bans and invites. Pure state with
 * small queries; the command handlers decide who may change what.
 */
import { compileMask } from '../protocol/index.js';
import type { Session } from './session.js';
import { addressGroup } from '../util/netmask.js';
import { TokenBucket } from '../util/token-bucket.js';
import type { LimitsConfig } from '../config/types.js';

export const Member = { op: 1, voice: 2 } as const;

export interface Ban {
  mask: string;
  setBy: string;
  setAt: number;
  /** the mute extban `m:<mask>` (in the ban list): may join, may not speak */
  mute: boolean;
  matches: (subject: string) => boolean;
}

/** The list modes: +b bans (with `m:` mutes), +e ban exceptions, +I invite exceptions. */
export type ListMode = 'b' | 'e' | 'I';

/** Pending invitations one room keeps: an op inviting nick after nick (or renamed nicks) cannot grow it further. */
export const MAX_INVITED = 500;

export class Channel {
  /** changed only by RENAME (commands/rename.ts), which re-keys IrcServer.channels */
  name: string;
  folded: string;
  readonly createdAt: number;
  readonly members = new Map<Session, number>();
  topic = '';
  topicBy = '';
  topicAt = 0;
  /** simple flag modes: C i m n p s t */
  flags = new Set<string>(['n', 't']);
  key: string | null = null;
  limit: number | null = null;
  bans: Ban[] = [];
  /** +e: masks a ban (or mute) does not apply to */
  excepts: Ban[] = [];
  /** +I: masks that join past +i without an INVITE */
  invex: Ban[] = [];
  /** folded nicks invited while +i (cleared when they join); at most MAX_INVITED, oldest dropped */
  readonly invited = new Set<string>();
  /** when the last member left (kept empty for its state, history on); null while occupied */
  emptySince: number | null = null;
  /** founder: the account that created it (logged in at the time), null = none */
  founder: string | null = null;
  /** casefolded accounts the founder gave +o: they get it back on joining, also after a restart */
  readonly opAccounts = new Set<string>();
  /** who created it, for the creation quotas (null: restored from storage, or the default room) */
  creator: { session: number; ip: string } | null = null;

  constructor(name: string, folded: string, now: number) {
    this.name = name;
    this.folded = folded;
    this.createdAt = now;
  }

  /** Status an account gets on joining: founder and named operators get +o. */
  statusFor(account: string | null, fold: (s: string) => string): number {
    if (account === null) return 0;
    const f = fold(account);
    return (this.founder !== null && fold(this.founder) === f) || this.opAccounts.has(f) ? Member.op : 0;
  }

  list(mode: ListMode): Ban[] {
    return mode === 'b' ? this.bans : mode === 'e' ? this.excepts : this.invex;
  }

  addBan(mask: string, setBy: string, at: number, fold: (s: string) => string): boolean {
    return this.addMask('b', mask, setBy, at, fold);
  }

  removeBan(mask: string, fold: (s: string) => string): boolean {
    return this.removeMask('b', mask, fold);
  }

  addMask(mode: ListMode, mask: string, setBy: string, at: number, fold: (s: string) => string): boolean {
    const list = this.list(mode);
    const f = fold(mask);
    if (list.some((b) => fold(b.mask) === f)) return false;
    const mute = mode === 'b' && mask.startsWith('m:');
    const m = compileMask(mute ? mask.slice(2) : mask, fold);
    list.push({ mask, setBy, setAt: at, mute, matches: m });
    return true;
  }

  removeMask(mode: ListMode, mask: string, fold: (s: string) => string): boolean {
    const list = this.list(mode);
    const f = fold(mask);
    const i = list.findIndex((b) => fold(b.mask) === f);
    if (i < 0) return false;
    list.splice(i, 1);
    return true;
  }

  /**
   * A private room (+i, +k, +s secret or +p private) shows nothing to outsiders: no
   * topic, members, listing or WHOIS line (docs/history.md, "What a room reveals").
   * Server operators see it as members do.
   */
  hiddenFrom(s: Session): boolean {
    const f = this.flags;
    return (f.has('i') || f.has('s') || f.has('p') || this.key !== null) && s.oper === null && !this.members.has(s);
  }

  /** RPL_NAMREPLY's channel type: `@` secret (+s), `*` private (+p), `=` public. */
  namesSymbol(): string {
    return this.flags.has('s') ? '@' : this.flags.has('p') ? '*' : '=';
  }

  /** Banned from joining (a +b that is not a mute, and no +e for it). */
  isBanned(hostmask: string): boolean {
    return this.#banned(hostmask, false);
  }

  /** Muted by an `m:` extban (and no +e for it): may join, may not speak. */
  isMuted(hostmask: string): boolean {
    return this.#banned(hostmask, true);
  }

  /** Matches a +I: joins past +i without an INVITE. */
  isInviteExempt(hostmask: string): boolean {
    return this.invex.some((b) => b.matches(hostmask));
  }

  #banned(hostmask: string, mute: boolean): boolean {
    if (!this.bans.some((b) => b.mute === mute && b.matches(hostmask))) return false;
    return !this.excepts.some((b) => b.matches(hostmask));
  }

  /** "+nt" style mode string and its parameters, for RPL_CHANNELMODEIS. */
  modeString(showKey: boolean): string[] {
    let s = '+' + [...this.flags].sort().join('');
    const params: string[] = [];
    if (this.key !== null) {
      s += 'k';
      params.push(showKey ? this.key : '*');
    }
    if (this.limit !== null) {
      s += 'l';
      params.push(String(this.limit));
    }
    return [s, ...params];
  }

  /** Records an invitation for `folded` (refreshed to newest; the oldest goes past MAX_INVITED). */
  invite(folded: string): void {
    this.invited.delete(folded);
    if (this.invited.size >= MAX_INVITED) this.invited.delete(this.invited.values().next().value!);
    this.invited.add(folded);
  }
}

/** "@+" (multi-prefix) or "@" prefix for a member status. */
export function prefixFor(status: number, multi: boolean): string {
  if (multi) return (status & Member.op ? '@' : '') + (status & Member.voice ? '+' : '');
  if (status & Member.op) return '@';
  if (status & Member.voice) return '+';
  return '';
}

/**
 * Channel creation quotas: how many existing channels each connection and each address
 * created (limits.channelsCreatedPerUser / channelsCreatedPerIp), next to the total cap
 * (limits.maxChannels). Counts drop when a channel goes away, so they bound what exists,
 * not a rate.
 */
export class CreationQuota {
  // keyed by session id, so a room never keeps a departed Session object alive
  readonly #bySession = new Map<number, number>();
  readonly #byIp = new Map<string, number>();
  /** creations per connection over time (limits.channelCreateBurst, then channelCreatesPerMinute) */
  readonly #rate = new Map<number, TokenBucket>();

  /**
   * Why `s` may not create one more channel, or null (then one creation is charged to its
   * rate). `total` = channels now. Counts bound what exists; the rate bounds churn (create,
   * leave, create again), which the counts alone let through.
   */
  refusal(s: Session, total: number, l: Pick<LimitsConfig, 'maxChannels' | 'channelsCreatedPerUser' | 'channelsCreatedPerIp' | 'channelCreateBurst' | 'channelCreatesPerMinute'>): string | null {
    if (s.admin) return null;
    if (total >= l.maxChannels) return `the server has reached its limit of ${l.maxChannels} rooms`;
    if ((this.#bySession.get(s.id) ?? 0) >= l.channelsCreatedPerUser) return `you have created ${l.channelsCreatedPerUser} rooms already`;
    if ((this.#byIp.get(groupOf(s)) ?? 0) >= l.channelsCreatedPerIp) return `your address has created ${l.channelsCreatedPerIp} rooms already`;
    let b = this.#rate.get(s.id);
    if (b === undefined || b.burst !== l.channelCreateBurst || b.ratePerSec !== l.channelCreatesPerMinute / 60) {
      b = new TokenBucket(l.channelCreatesPerMinute / 60, l.channelCreateBurst, s.server.now);
      this.#rate.set(s.id, b);
    }
    if (!b.take()) return `you are creating rooms too fast (at most ${l.channelCreatesPerMinute} a minute); wait a little`;
    return null;
  }

  created(ch: Channel, s: Session): void {
    const ip = groupOf(s);
    ch.creator = { session: s.id, ip };
    this.#bySession.set(s.id, (this.#bySession.get(s.id) ?? 0) + 1);
    this.#byIp.set(ip, (this.#byIp.get(ip) ?? 0) + 1);
  }

  dropped(ch: Channel): void {
    const c = ch.creator;
    if (c === null) return;
    ch.creator = null;
    dec(this.#bySession, c.session);
    dec(this.#byIp, c.ip);
  }

  /** The session is gone: its own count goes (the address count stays with the rooms). */
  forget(s: Session): void {
    this.#bySession.delete(s.id);
    this.#rate.delete(s.id);
  }
}

/** The address a quota counts: an IPv6 peer's whole prefix (one host, many addresses). */
function groupOf(s: Session): string {
  return addressGroup(s.ip, s.server.config.connections.ipv6Prefix);
}

function dec<K>(m: Map<K, number>, k: K): void {
  const n = (m.get(k) ?? 0) - 1;
  if (n <= 0) m.delete(k);
  else m.set(k, n);
}
