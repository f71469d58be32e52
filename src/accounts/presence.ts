/**
 * One account, many sessions (docs/accounts.md, "Many sessions"). Every session logged in
 * to the same account is one user to everyone else: they share the nick and the channel
 * list, what is sent to the nick reaches all of them, what one sends is echoed to the rest.
 *
 * Least change to the core: every sibling is a real member of the account's channels (so
 * channel fan-out, membership checks and history access need nothing new), and the nick
 * registry points at ONE of them, the primary. What others see of the user (NAMES, WHO)
 * skips the other siblings ("shadows"); what is addressed to the nick (a private message,
 * an INVITE) is expanded to every sibling here. When the primary leaves, a sibling is
 * promoted; others see a QUIT only when the last session leaves.
 */
import { isValidNick } from '../protocol/index.js';
import { Cap } from '../core/caps.js';
import type { Channel } from '../core/channel.js';
import { announceJoin, joinChannel, sendNames } from '../core/commands/channel.js';
import type { Outgoing } from '../core/outgoing.js';
import { sendOut } from '../core/multiline.js';
import type { IrcServer } from '../core/server.js';
import type { Session } from '../core/session.js';
import { LAST_SEEN } from '../core/commands/seen.js';
import { monitorOffline, monitorOnline } from '../core/commands/monitor.js';

export class Presence {
  /** folded account name */
  readonly account: string;
  /** the session the nick registry points at (what WHOIS, NAMES and WHO show) */
  primary: Session;
  /** every session logged in to the account, the primary included */
  readonly sessions = new Set<Session>();

  constructor(account: string, primary: Session) {
    this.account = account;
    this.primary = primary;
    this.sessions.add(primary);
  }
}

export class Presences {
  readonly #srv: IrcServer;
  readonly #byAccount = new Map<string, Presence>();
  readonly #bySession = new Map<Session, Presence>();
  /** sessions that are in a presence but not its primary: 0 = no list filtering at all */
  #shadows = 0;

  constructor(srv: IrcServer) {
    this.#srv = srv;
  }

  /** The presence of an online account (folded or not). */
  ofAccount(account: string): Presence | undefined {
    return this.#byAccount.get(this.#srv.fold(account));
  }

  /** The registered primary session of account `name` when it is online (under any nick). */
  onlineAs(name: string): Session | undefined {
    const p = this.#byAccount.get(this.#srv.fold(name));
    return p !== undefined && p.primary.registered ? p.primary : undefined;
  }

  of(s: Session): Presence | undefined {
    return this.#bySession.get(s);
  }

  /** True for a sibling that is not the one others see: NAMES and WHO skip it. */
  isShadow(s: Session): boolean {
    if (this.#shadows === 0) return false;
    const p = this.#bySession.get(s);
    return p !== undefined && p.primary !== s;
  }

  /** The other sessions of `s`'s account (a new array; empty when it is alone). */
  siblings(s: Session): Session[] {
    const p = this.#bySession.get(s);
    if (p === undefined || p.sessions.size < 2) return [];
    const out: Session[] = [];
    for (const o of p.sessions) if (o !== s) out.push(o);
    return out;
  }

  /** Same user: `a` and `b` are one session, or sessions of one account. */
  together(a: Session, b: Session): boolean {
    if (a === b) return true;
    const p = this.#bySession.get(a);
    return p !== undefined && p.sessions.has(b);
  }

  /**
   * Delivers `out` (addressed to `t`'s nick) to `t` and every registered sibling; a
   * TAGMSG only to those with message-tags.
   */
  deliver(t: Session, out: Outgoing, tagOnly = false): void {
    const p = this.#bySession.get(t);
    if (p === undefined) {
      if (!tagOnly || t.has(Cap.messageTags)) sendOut(t, out);
      return;
    }
    for (const m of p.sessions) {
      if (!m.registered || (tagOnly && !m.has(Cap.messageTags))) continue;
      sendOut(m, out);
    }
  }

  /**
   * What `s` sent to `t` is echoed to `s`'s siblings, whether they asked for echo-message
   * or not (they are the same user; a client without it sees a message from its own nick
   * to the target, as behind a bouncer). Not to siblings `t`'s delivery reached already.
   */
  echo(s: Session, t: Session | null, out: Outgoing, tagOnly = false): void {
    const p = this.#bySession.get(s);
    if (p === undefined || p.sessions.size < 2 || (t !== null && p.sessions.has(t))) return;
    for (const m of p.sessions) {
      if (m === s || !m.registered || (tagOnly && !m.has(Cap.messageTags))) continue;
      sendOut(m, out);
    }
  }

  // ---- hooks from the core --------------------------------------------------------

  /** server.accountChanged: `s.account` went from `previous` to its current value. */
  accountChanged(s: Session, previous: string | null): void {
    if (previous !== null) this.#loggedOut(s);
    if (s.account !== null) this.#loggedIn(s, s.account);
  }

  /** server.tryRegister, after the welcome: a session that attached early gets the account's channels. */
  registered(s: Session): void {
    const p = this.#bySession.get(s);
    if (p === undefined || p.primary === s) return;
    const statuses = this.#channelsOf(p, s);
    for (const [ch, status] of statuses) if (!ch.members.has(s)) joinChannel(s, ch, this.#srv, status, true);
  }

  /**
   * The session is going away (server #remove). True when siblings stay online: then the
   * caller leaves quietly (no QUIT, no WHOWAS entry), the nick staying with a promoted sibling.
   */
  leaving(s: Session): boolean {
    const p = this.#bySession.get(s);
    if (p === undefined) return false;
    this.#detach(s, p);
    return p.sessions.size > 0;
  }

  /** joinChannel: `s` joined `ch`; its registered siblings join too, each told alone. */
  joined(s: Session, ch: Channel, status: number): void {
    const p = this.#bySession.get(s);
    if (p === undefined || p.sessions.size < 2) return;
    for (const m of p.sessions) {
      if (m !== s && m.registered && !m.closing && !ch.members.has(m)) joinChannel(m, ch, this.#srv, status, true);
    }
  }

  /** PART or KICK of `s` from `ch` (already told to the channel): its siblings leave too. */
  removeUser(ch: Channel, s: Session): void {
    this.#srv.removeMember(ch, s);
    for (const m of this.siblings(s)) if (ch.members.has(m)) this.#srv.removeMember(ch, m);
  }

  /** MODE +o/-o/+v/-v on `t` in `ch`: one user, one status. */
  statusChanged(ch: Channel, t: Session, status: number): void {
    for (const m of this.siblings(t)) if (ch.members.has(m)) ch.members.set(m, status);
  }

  /**
   * NICK by `s` (already applied to `s` and sent to its peers, which include the siblings
   * sharing a channel): every sibling takes the nick; the renaming session becomes primary.
   */
  renamed(s: Session, out: Outgoing): void {
    const p = this.#bySession.get(s);
    if (p === undefined || p.sessions.size < 2) return;
    for (const m of p.sessions) {
      if (m === s) continue;
      // siblings share the channel list: those outside every channel were not told yet
      if (m.registered && (s.channels.size === 0 || m.channels.size === 0)) m.send(out.lineFor(m.caps));
      m.setNick(s.nick, s.folded);
    }
    this.#setPrimary(p, s);
  }

  // ---- internals ----------------------------------------------------------------

  #loggedIn(s: Session, account: string): void {
    const key = this.#srv.fold(account);
    const p = this.#byAccount.get(key);
    if (p === undefined) {
      const fresh = new Presence(key, s);
      this.#byAccount.set(key, fresh);
      this.#bySession.set(s, fresh);
      return;
    }
    if (p.sessions.has(s)) return;
    p.sessions.add(s);
    this.#bySession.set(s, p);
    this.#shadows++;
    if (!p.primary.registered && s.registered) {
      // the account's first session has not finished registering: the one others can
      // see leads, and the waiting ones take its nick (they get its channels at 001)
      this.#setPrimary(p, s);
      for (const m of p.sessions) if (m !== s && !m.registered) this.#takeNick(m, s);
      return;
    }
    if (!s.registered) {
      // before 001 (SASL): silently, the welcome comes with the account's nick
      this.#takeNick(s, p.primary);
      return;
    }
    this.#attachRegistered(s, p);
  }

  /** A pending session adopts `lead`'s nick (its own reservation, if any, is freed). */
  #takeNick(s: Session, lead: Session): void {
    const srv = this.#srv;
    if (s.folded !== '' && srv.nicks.get(s.folded) === s) srv.nicks.delete(s.folded);
    s.setNick(lead.nick, lead.folded);
  }

  /**
   * A session others already know (its own nick, maybe channels) logs in to an account
   * that is online elsewhere: its old identity quits, it takes the account's nick and
   * channels, and the account joins the rooms only this session was in.
   */
  #attachRegistered(s: Session, p: Presence): void {
    const srv = this.#srv;
    const lead = p.primary;
    const own = [...s.channels].filter((ch) => !ch.members.has(lead));
    const shared = [...s.channels].filter((ch) => ch.members.has(lead));
    if (!s.lurking) {
      const why = [`Logged in as ${s.account ?? lead.nick}: one user with ${lead.nick}`];
      const out = srv.outgoing(s.source, 'QUIT', why);
      srv.sendToPeers(s, out, false);
      for (const ch of s.channels) srv.history?.record(ch, s.source, 'QUIT', why, out);
    }
    srv.whowas.add(s.folded, s, srv.now());
    const nick = srv.outgoing(s.source, 'NICK', [lead.nick]);
    s.send(nick.lineFor(s.caps));
    if (srv.nicks.get(s.folded) === s) {
      srv.nicks.delete(s.folded);
      monitorOffline(srv, s.nick, s.folded);
    }
    s.setNick(lead.nick, lead.folded);
    // rooms the account was in already: this session now has the account's status there
    for (const ch of shared) {
      ch.members.set(s, ch.members.get(lead) ?? 0);
      sendNames(s, ch, srv);
    }
    // rooms only this session was in: the account arrives there
    for (const ch of own) {
      if (!s.lurking) announceJoin(s, ch, srv, 'others');
      this.joined(s, ch, ch.members.get(s) ?? 0);
    }
    for (const [ch, status] of this.#channelsOf(p, s)) if (!ch.members.has(s)) joinChannel(s, ch, srv, status, true);
  }

  /** The account's channels and statuses, from a registered sibling other than `s`. */
  #channelsOf(p: Presence, s: Session): Map<Channel, number> {
    const out = new Map<Channel, number>();
    let from: Session | undefined = p.primary !== s && p.primary.registered ? p.primary : undefined;
    if (from === undefined) for (const m of p.sessions) if (m !== s && m.registered) from = m;
    if (from === undefined) return out;
    for (const ch of from.channels) out.set(ch, ch.members.get(from) ?? 0);
    return out;
  }

  /**
   * `s` logs out while its account stays online elsewhere: it becomes a user of its own,
   * out of the account's channels (told to it alone: nobody else knew it was there),
   * under a free nick of its own.
   */
  #loggedOut(s: Session): void {
    const p = this.#bySession.get(s);
    if (p === undefined) return;
    this.#detach(s, p);
    if (p.sessions.size === 0) return;
    const srv = this.#srv;
    for (const ch of [...s.channels]) {
      s.send(srv.outgoing(s.source, 'PART', [ch.name, 'Logged out']).lineFor(s.caps));
      srv.removeMember(ch, s);
    }
    const nick = this.#freeNick(s);
    const folded = srv.fold(nick);
    if (s.registered) s.send(srv.outgoing(s.source, 'NICK', [nick]).lineFor(s.caps));
    s.setNick(nick, folded);
    if (s.passOk) srv.nicks.set(folded, s);
    if (s.registered && s.passOk) monitorOnline(srv, s);
  }

  #detach(s: Session, p: Presence): void {
    this.#bySession.delete(s);
    p.sessions.delete(s);
    if (p.sessions.size === 0) {
      this.#byAccount.delete(p.account);
      // SEEN: when the account was last online, kept over restarts
      const at = this.#srv.now();
      this.#srv.accounts
        .update(p.account, (r) => ({ ...r, settings: { ...r.settings, [LAST_SEEN]: at } }))
        .catch((err: unknown) => this.#srv.logger.warn({ err, account: p.account }, 'could not save the last-seen time'));
      return;
    }
    // every session but the primary is a shadow: one session fewer, one shadow fewer
    this.#shadows--;
    if (p.primary !== s) return;
    // promote: a registered sibling if there is one
    let next: Session | undefined;
    for (const m of p.sessions) {
      if (next === undefined || (m.registered && !next.registered)) next = m;
    }
    this.#setPrimary(p, next!);
  }

  #setPrimary(p: Presence, s: Session): void {
    const srv = this.#srv;
    const was = p.primary;
    p.primary = s;
    const held = srv.nicks.get(s.folded);
    if (held === undefined || held === was || p.sessions.has(held)) srv.nicks.set(s.folded, s);
  }

  /** A nick for a session leaving its account: "<nick>-<n>" or "Guest<id>". */
  #freeNick(s: Session): string {
    const srv = this.#srv;
    const max = srv.config.limits.nickLength;
    const candidates = [`${s.nick.slice(0, Math.max(1, max - 6))}-${s.id}`, `Guest${s.id}`];
    for (const c of candidates) if (isValidNick(c, max) && !srv.nicks.has(srv.fold(c))) return c;
    for (;;) {
      const c = 'Guest' + String(Math.floor(Math.random() * 1e6));
      if (!srv.nicks.has(srv.fold(c))) return c.slice(0, max);
    }
  }
}
