/**
 * What the server keeps for its admins (IrcServer.admin): the server-wide bans and mutes,
 * the one-time claim code, and the audit trail. Who IS an admin is Session.admin (one
 * place); this module only reads it. Imports nothing of the core at run time, so the
 * core can own one of these without an import cycle.
 */
import type { Sanction, SanctionStore } from '../storage/types.js';
import type { Session } from '../core/session.js';
import type { IrcServer } from '../core/server.js';
import type { Channel } from '../core/channel.js';
import { ClaimCode } from './claim.js';
import { Sanctions, type Subject } from './sanctions.js';

/** "until 14:05 UTC" style: when a sanction ends, for the people it applies to. */
export function untilText(s: Sanction): string {
  if (s.expiresAt === null) return 'until lifted';
  return `until ${new Date(s.expiresAt).toISOString().replace('T', ' ').slice(0, 16)} UTC`;
}

export class AdminState {
  readonly sanctions: Sanctions;
  readonly claim: ClaimCode;
  /** The account a session is logged in to, for `account:NAME` bans (null: none). */
  accountOf: (s: Session) => string | null = (s) => s.account;
  /** who else hears every audit line: the server's console */
  readonly watchers = new Set<(line: string) => void>();
  readonly #srv: IrcServer;

  constructor(srv: IrcServer, store: SanctionStore | null) {
    this.#srv = srv;
    this.claim = new ClaimCode(srv.now);
    this.sanctions = new Sanctions(srv.fold, store, (err) => srv.logger.error({ err }, 'could not store a ban or mute; it holds until restart'));
  }

  /**
   * At startup, after the rooms are restored: the stored bans and mutes come back, and
   * the default room loses any +i, +k or +l an older version let a first-comer persist
   * (it cannot be taken). Returns how many sanctions were loaded.
   */
  async restore(): Promise<number> {
    const srv = this.#srv;
    const n = await this.sanctions.load(srv.now());
    const lobby = srv.config.defaultChannel === '' ? undefined : srv.findChannel(srv.config.defaultChannel);
    if (lobby !== undefined && (lobby.flags.has('i') || lobby.key !== null || lobby.limit !== null)) {
      lobby.flags.delete('i');
      lobby.key = null;
      lobby.limit = null;
      srv.history?.channelChanged(lobby);
      srv.logger.warn({ channel: lobby.name }, `cleared +i/+k/+l on ${lobby.name}: the default room cannot be locked (only admins may lock it, and not across restarts)`);
    }
    return n;
  }

  subject(s: Session): Subject {
    return { source: s.source, ip: s.ip, account: this.accountOf(s) };
  }

  /** The mute `s` is under in `ch` (null: a private message), or null. Admins are never muted. */
  mutedIn(s: Session, ch: Channel | null): Sanction | null {
    if (this.sanctions.size === 0 || s.admin) return null;
    return this.sanctions.mutedBy(this.subject(s), ch === null ? null : ch.folded);
  }

  /** The ban `s` is under on the server (or in `ch`), or null. Admins are never banned. */
  bannedBy(s: Session, ch: Channel | null = null): Sanction | null {
    if (this.sanctions.size === 0 || s.admin) return null;
    return this.sanctions.bannedBy(this.subject(s), ch === null ? null : ch.folded);
  }

  /** Disconnects a registered `s` under a server-wide ban; true if it was. */
  refuseIfBanned(s: Session): boolean {
    const b = this.bannedBy(s);
    if (b === null) return false;
    this.#srv.disconnect(s, 'TINCAN_ERR_BANNED', (b.reason === '' ? '' : b.reason + ', ') + untilText(b));
    return true;
  }

  /**
   * Records an admin action: a pino line (audit: true) and a NOTICE to every other admin
   * online. `by` is who did it (a nick, "console", "tincan admin").
   */
  audit(by: string, action: string, text: string, fields: Record<string, unknown> = {}, bySession: Session | null = null): void {
    this.#srv.logger.info({ audit: true, by, action, ...fields }, `admin: ${by} ${text}`);
    const line = `*** Admin: ${by} ${text}`;
    if (by !== 'console') for (const w of this.watchers) w(line);
    for (const s of this.#srv.sessions) {
      if (s !== bySession && s.registered && s.admin && !s.closing) s.serverMessage('NOTICE', s.nick, line);
    }
  }

  /** Housekeeping (once a second, the server's clock): sanctions that ran out. */
  tick(now: number): void {
    if (this.sanctions.size === 0) return;
    for (const s of this.sanctions.expire(now)) {
      if (s.kind === 'mute') {
        // whoever it silenced learns they can talk again
        const where = s.scope === '*' ? 'on this server' : `in ${s.scope}`;
        for (const u of this.#srv.sessions) {
          if (u.registered && !u.closing && !u.admin && this.sanctions.matchesSanction(s, this.subject(u))) u.serverMessage('NOTICE', u.nick, `*** Your mute ${where} has ended: you can talk again.`);
        }
      }
      this.audit('the server', 'expire', `lifted the ${s.kind} on ${s.value}${s.scope === '*' ? '' : ' in ' + s.scope} (it expired)`, { kind: s.kind, target: s.value, scope: s.scope });
    }
  }
}
