/**
 * A channel: members with their status, topic, modes, bans and invites. Pure state with
 * small queries; the command handlers decide who may change what.
 */
import { compileMask } from '../protocol/index.js';
import type { Session } from './session.js';

export const Member = { op: 1, voice: 2 } as const;

export interface Ban {
  mask: string;
  setBy: string;
  setAt: number;
  matches: (subject: string) => boolean;
}

export class Channel {
  readonly name: string;
  readonly folded: string;
  readonly createdAt: number;
  readonly members = new Map<Session, number>();
  topic = '';
  topicBy = '';
  topicAt = 0;
  /** simple flag modes: i m n t */
  flags = new Set<string>(['n', 't']);
  key: string | null = null;
  limit: number | null = null;
  bans: Ban[] = [];
  /** folded nicks invited while +i (cleared when they join) */
  readonly invited = new Set<string>();

  constructor(name: string, folded: string, now: number) {
    this.name = name;
    this.folded = folded;
    this.createdAt = now;
  }

  addBan(mask: string, setBy: string, at: number, fold: (s: string) => string): boolean {
    const f = fold(mask);
    if (this.bans.some((b) => fold(b.mask) === f)) return false;
    const m = compileMask(mask, fold);
    this.bans.push({ mask, setBy, setAt: at, matches: m });
    return true;
  }

  removeBan(mask: string, fold: (s: string) => string): boolean {
    const f = fold(mask);
    const i = this.bans.findIndex((b) => fold(b.mask) === f);
    if (i < 0) return false;
    this.bans.splice(i, 1);
    return true;
  }

  isBanned(hostmask: string): boolean {
    for (const b of this.bans) if (b.matches(hostmask)) return true;
    return false;
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
}

/** "@+" (multi-prefix) or "@" prefix for a member status. */
export function prefixFor(status: number, multi: boolean): string {
  if (multi) return (status & Member.op ? '@' : '') + (status & Member.voice ? '+' : '');
  if (status & Member.op) return '@';
  if (status & Member.voice) return '+';
  return '';
}
