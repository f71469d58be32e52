/**
 * The transport-agnostic IRC server: owns the sessions, the nick and channel registries
 * and the one housekeeping timer (registration and ping timeouts for every session).
 * Commands live in ./commands; transports hand connections in through accept().
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import { closeText, closingLine, type CloseCode } from '../errors.js';
import type { Connection } from '../transports/connection.js';
import type { IrcMessage } from '../protocol/message.js';
import { casefolder } from '../protocol/index.js';
import * as N from '../protocol/numerics.js';
import { Session } from './session.js';
import { Channel, CreationQuota } from './channel.js';
import { Outgoing } from './outgoing.js';
import { COMMANDS } from './commands/index.js';
import { welcome } from './commands/welcome.js';
import { revealLurker } from './commands/channel.js';
import { WhowasLog } from './whowas.js';
import type { History } from './history.js';
import type { AccountStore } from '../storage/types.js';
import { Accounts } from '../accounts/accounts.js';
import { MemoryAccountStore } from '../accounts/memory-store.js';
import { Cap } from './caps.js';
import { checkNickGuard, nickTaken } from '../accounts/nick-guard.js';
import { multilineTimeout } from './commands/batch.js';
import { restoreChannelStatus } from '../accounts/founders.js';
import { announceAccountCaps } from './commands/registration.js';
import type { FileSharing } from './commands/upload.js';
import { Presences } from '../accounts/presence.js';
import { Mailbox } from '../accounts/offline.js';
import { forgetReadMarkers } from './commands/readmarker.js';
import { monitorForget, monitorOffline, monitorOnline, monitorPeers } from './commands/monitor.js';
import { AdminState } from '../admin/state.js';
import { adminOnLogin } from './commands/oper.js';
import type { ClusterHooks } from './cluster-hooks.js';

export interface ServerOptions {
  /** re-reads the config file for REHASH; absent = REHASH reloads nothing */
  reloadConfig?: () => Config;
  /** injectable clock (ms) for tests */
  now?: () => number;
  /** housekeeping period in ms (default 1000) */
  tickMs?: number;
  /** channel history and state persistence (src/core/history.ts); absent = none */
  history?: History;
  /** where accounts are kept (Storage.accounts); absent = in memory, until restart */
  accounts?: AccountStore;
  /** runs last in shutdown() (closes a store that no History owns) */
  onShutdown?: () => Promise<void>;
}

export { VERSION } from './version.js';

export class IrcServer {
  config: Config;
  readonly logger: Logger;
  readonly fold: (s: string) => string;
  readonly sessions = new Set<Session>();
  readonly nicks = new Map<string, Session>();
  readonly channels = new Map<string, Channel>();
  /** channel creation counts per connection and address (limits.channelsCreatedPer*) */
  readonly creationQuota = new CreationQuota();
  readonly whowas: WhowasLog;
  readonly startedAt: Date;
  readonly now: () => number;
  /** absent when history is off: every hook is `srv.history?.record(...)` */
  readonly history: History | undefined;
  /** registered accounts (src/accounts/accounts.ts); serve.ts loads them before serving */
  readonly accounts: Accounts;
  /** the sessions of each online account: one user, many sessions (src/accounts/presence.ts) */
  readonly presence: Presences = new Presences(this);
  /** messages waiting for offline accounts, private history (src/accounts/offline.ts) */
  readonly mailbox: Mailbox = new Mailbox(this);
  /** server-wide bans and mutes, the one-time admin code, the audit trail (src/admin/) */
  readonly admin: AdminState;
  /** IRCv3 STS, offered in CAP LS when set (serve.ts: a verifiable configured TLS certificate) */
  sts: { port: number; duration: number } | null = null;
  /** shared files (UPLOAD), set by serve.ts; null = off */
  files: FileSharing | null = null;
  /** several nodes as one server (src/cluster/core-link.ts, set by serve.ts); null = one node */
  cluster: ClusterHooks | null = null;
  readonly #reload: (() => Config) | undefined;
  readonly #onShutdown: (() => Promise<void>) | undefined;
  #nextId = 1;
  #msgidPrefix = randomBytes(6).toString('base64url');
  #msgidCounter = 0;
  #lastMsgid = '';
  #batchCounter = 0;
  #tick: NodeJS.Timeout;
  readonly #tickMs: number;
  /** when housekeeping last ran (server clock) */
  #lastTick: number;
  /** event-loop stall time seen so far, in ms: housekeeping ticks that came late */
  #stalled = 0;
  #shuttingDown = false;
  readonly #closeWaiters = new Map<Session, () => void>();
  /** for LUSERS */
  maxUsers = 0;
  // LUSERS counts, kept up to date instead of scanning every session per registration
  #registeredCount = 0;
  #invisibleCount = 0;
  #operCount = 0;

  constructor(config: Config, logger: Logger, opts: ServerOptions = {}) {
    this.config = config;
    this.logger = logger;
    this.fold = casefolder(config.casemapping);
    this.now = opts.now ?? Date.now;
    this.#reload = opts.reloadConfig;
    this.#onShutdown = opts.onShutdown;
    this.startedAt = new Date(this.now());
    this.whowas = new WhowasLog(config.limits.whowasSize);
    this.history = opts.history;
    this.history?.attach(this);
    this.accounts = new Accounts(opts.accounts ?? new MemoryAccountStore(), this.fold);
    this.accounts.onDrop = (folded) => {
      this.mailbox.dropped(folded);
      forgetReadMarkers(this, folded);
    };
    this.admin = new AdminState(this, opts.history?.storage.sanctions ?? null);
    this.#tickMs = opts.tickMs ?? 1000;
    this.#lastTick = this.now();
    this.#tick = setInterval(() => this.housekeeping(), this.#tickMs);
    this.#tick.unref();
  }

  // ---- connections --------------------------------------------------------------

  accept(conn: Connection): Session {
    const s = new Session(this.#nextId++, conn, this, this.now());
    this.sessions.add(s);
    if (this.#shuttingDown) {
      conn.close(closingLine('', 'TINCAN_ERR_SHUTDOWN'));
    }
    conn.attach(s);
    if (this.logger.isLevelEnabled('debug')) s.log.debug('connected');
    return s;
  }

  /** @internal The session's connection closed (Session.closed, as ConnectionHandlers). */
  connectionClosed(s: Session, reason: string): void {
    // the one close a transport decides itself (the send queue); its reason comes from the table
    if (reason === closeText('TINCAN_ERR_SENDQ') && this.sessions.has(s)) s.log.info({ code: 'TINCAN_ERR_SENDQ', reason }, 'disconnecting');
    this.#gone(s, reason);
    this.#closeWaiters.get(s)?.();
  }

  /** @internal Session mode setters report +i / +o changes here (deltas). */
  countModes(invisible: number, oper: number): void {
    this.#invisibleCount += invisible;
    this.#operCount += oper;
  }

  /**
   * Server-side disconnect by code (src/errors.ts): log it, tell the peer why, then tidy
   * up as for a quit (peers see the same text as the QUIT message).
   */
  disconnect(s: Session, code: CloseCode, detail = ''): void {
    if (s.closing) return;
    const reason = closeText(code, detail);
    s.log[code === 'TINCAN_ERR_SHUTDOWN' ? 'debug' : 'info']({ code, reason }, 'disconnecting');
    this.#remove(s, reason);
    s.conn.close(closingLine(s.host, code, detail));
  }

  /** The client asked to leave (QUIT): not an error, so no code. */
  quit(s: Session, message: string): void {
    if (s.closing) return;
    this.#remove(s, message);
    s.conn.close(`ERROR :Closing link: ${s.host} (${message})`);
  }

  /** The peer went away (or its connection failed). */
  #gone(s: Session, reason: string): void {
    if (!this.sessions.has(s)) return;
    this.#remove(s, reason);
  }

  #remove(s: Session, quitMessage: string): void {
    // another session of the same account stays: this one leaves without a trace
    const quiet = this.presence.leaving(s);
    s.dispose();
    this.sessions.delete(s);
    if (s.invisible) this.#invisibleCount--;
    if (s.oper !== null) this.#operCount--;
    if (s.registered) {
      this.#registeredCount--;
      // at shutdown everyone is leaving: a QUIT per user to every remaining peer was
      // quadratic (1,800 users: 1.6 M lines); each gets its own ERROR instead
      // (and a lurker was never announced, so it leaves as quietly)
      if (!this.#shuttingDown && !s.lurking && !quiet) {
        const out = this.outgoing(s.source, 'QUIT', [quitMessage]);
        this.sendToPeers(s, out, false);
        for (const ch of s.channels) this.history?.record(ch, s.source, 'QUIT', [quitMessage], out);
      }
      if (!quiet) this.whowas.add(s.folded, s, this.now());
      if (!quiet && this.nicks.get(s.folded) === s) monitorOffline(this, s.nick, s.folded);
    }
    monitorForget(this, s);
    for (const ch of s.channels) this.removeMember(ch, s, false);
    s.channels.clear();
    this.creationQuota.forget(s);
    if (s.folded && this.nicks.get(s.folded) === s) this.nicks.delete(s.folded);
    if (this.cluster !== null && s.registered) this.cluster.left(s);
    if (this.logger.isLevelEnabled('debug')) s.log.debug({ reason: quitMessage }, 'disconnected');
  }

  // ---- accounts -------------------------------------------------------------------

  /**
   * The one place a session logs in or out (SASL, REGISTER, PASS, NickServ, a dropped
   * account): sets `s.account`, tells the session (900/901) and, with account-notify,
   * everyone sharing a channel with it; then runs the accountChanged() hook. `tokenId`:
   * the device token that logged in, so revoking it can end this session.
   */
  setAccount(s: Session, account: string | null, tokenId: string | null = null): void {
    const previous = s.account;
    if (previous === account || s.closing) return;
    s.account = account;
    s.loginTokenId = account === null ? null : tokenId;
    const mask = `${s.nick}!${s.user || '*'}@${s.host}`;
    if (account !== null) s.numeric(N.RPL_LOGGEDIN, mask, account, `You are now logged in as ${account}`);
    else s.numeric(N.RPL_LOGGEDOUT, mask, 'You are now logged out');
    // a session leaving an account that stays online elsewhere: the user did not log out
    if (s.registered && !s.lurking && this.presence.siblings(s).length === 0) {
      this.sendToPeers(s, this.outgoing(s.source, 'ACCOUNT', [account ?? '*']), false, Cap.accountNotify);
    }
    nickTaken(s, this);
    restoreChannelStatus(s, this);
    adminOnLogin(s, this);
    this.accountChanged(s, previous);
  }

  /**
   * Hook: `s.account` just changed from `previous` (null = was not logged in) to
   * `s.account` (null = logged out). Runs synchronously inside setAccount, after the
   * numerics and ACCOUNT lines: one account on many sessions (the shared nick and
   * channels, src/accounts/presence.ts).
   */
  accountChanged(s: Session, previous: string | null): void {
    this.presence.accountChanged(s, previous);
    if (s.account !== null && s.registered) this.mailbox.deliver(s.account);
  }

  /** A lurking session spoke: announce it to the rooms it has been hearing. */
  reveal(s: Session): void {
    revealLurker(s, this);
  }

  // ---- dispatch -----------------------------------------------------------------

  dispatch(s: Session, msg: IrcMessage): void {
    const spec = COMMANDS.get(msg.command);
    if (spec === undefined) {
      if (s.registered) s.numeric(N.ERR_UNKNOWNCOMMAND, msg.command, 'Unknown command');
      else s.numeric(N.ERR_NOTREGISTERED, 'You have not registered');
      return;
    }
    if (!s.registered && !spec.preRegistration) {
      s.numeric(N.ERR_NOTREGISTERED, 'You have not registered');
      return;
    }
    if (msg.params.length < spec.minParams) {
      if (spec.silentOnMissing !== true) s.numeric(N.ERR_NEEDMOREPARAMS, msg.command, 'Not enough parameters');
      return;
    }
    if (spec.operOnly === true && s.oper === null) {
      s.numeric(N.ERR_NOPRIVILEGES, "Permission Denied- You're not an IRC operator");
      return;
    }
    try {
      if (this.cluster === null) spec.handler(s, msg, this);
      else this.cluster.dispatch(s, msg, () => spec.handler(s, msg, this));
    } catch (err) {
      // a bug in one handler costs that session only
      s.log.error({ err, command: msg.command }, 'command handler failed; dropping this session');
      this.disconnect(s, 'TINCAN_ERR_INTERNAL');
    }
  }

  // ---- helpers for handlers -------------------------------------------------------

  nextMsgid(): string {
    return (this.#lastMsgid = this.#msgidPrefix + (++this.#msgidCounter).toString(36));
  }

  /** The msgid this process issued (or will issue) as number `seq` (msgidSeq's inverse). */
  msgidOf(seq: number): string {
    return this.#msgidPrefix + seq.toString(36);
  }

  /** How many msgids this process has issued so far: a point in time for `issuedAfter`. */
  msgidMark(): number {
    return this.#msgidCounter;
  }

  /**
   * The sequence number of a msgid of this process (1, 2, ...), -1 when it is not one of
   * ours. Not a proof of issue: a made-up suffix parses too, so a lookup by it must
   * compare the msgid it finds (commands/redact.ts does).
   */
  msgidSeq(msgid: string): number {
    if (msgid === this.#lastMsgid) return this.#msgidCounter; // the usual caller: a message just sent
    const p = this.#msgidPrefix;
    if (!msgid.startsWith(p)) return -1;
    const n = Number.parseInt(msgid.slice(p.length), 36);
    return Number.isSafeInteger(n) && n > 0 ? n : -1;
  }

  /** True when `msgid` was issued by this process after `mark` (msgidMark()). */
  issuedAfter(msgid: string, mark: number): boolean {
    if (!msgid.startsWith(this.#msgidPrefix)) return false; // an earlier run: older
    return Number.parseInt(msgid.slice(this.#msgidPrefix.length), 36) > mark;
  }

  nextBatchId(): string {
    return 'b' + (++this.#batchCounter).toString(36);
  }

  outgoing(source: string, command: string, params: readonly string[], clientTags = ''): Outgoing {
    return new Outgoing(source, command, params, this.nextMsgid(), this.now(), clientTags);
  }

  findNick(nick: string): Session | undefined {
    const s = this.nicks.get(this.fold(nick));
    return s !== undefined && s.registered ? s : undefined;
  }

  findChannel(name: string): Channel | undefined {
    return this.channels.get(this.fold(name));
  }

  /** Delivers to every member of `ch` (optionally skipping one, or filtered by cap). */
  sendToChannel(ch: Channel, out: Outgoing, except: Session | null = null, needCap = 0): void {
    for (const m of ch.members.keys()) {
      if (m === except || (needCap !== 0 && (m.caps & needCap) === 0)) continue;
      m.send(out.lineFor(m.caps));
    }
  }

  /** Delivers once to everyone sharing a channel with `s` (and `s` itself if asked). */
  sendToPeers(s: Session, out: Outgoing, includeSelf: boolean, needCap = 0): void {
    if (includeSelf && (needCap === 0 || (s.caps & needCap) !== 0)) s.send(out.lineFor(s.caps));
    // one channel (most users): no de-duplication needed, so no Set of every peer
    if (s.channels.size <= 1) {
      for (const ch of s.channels) this.sendToChannel(ch, out, s, needCap);
      // extended-monitor: the watchers who share no channel hear it too
      if (needCap !== 0) monitorPeers(this, s, out, needCap);
      return;
    }
    const seen = new Set<Session>();
    seen.add(s);
    for (const ch of s.channels) {
      for (const m of ch.members.keys()) {
        if (seen.has(m)) continue;
        seen.add(m);
        if (needCap !== 0 && (m.caps & needCap) === 0) continue;
        m.send(out.lineFor(m.caps));
      }
    }
    if (needCap !== 0) monitorPeers(this, s, out, needCap);
  }

  /** `creator` is counted against the creation quotas (see channelRefusal). */
  getOrCreateChannel(name: string, creator: Session | null = null): { ch: Channel; created: boolean } {
    const folded = this.fold(name);
    const existing = this.channels.get(folded);
    if (existing !== undefined) return { ch: existing, created: false };
    const ch = new Channel(name, folded, this.now());
    this.channels.set(folded, ch);
    if (creator !== null && folded !== this.fold(this.config.defaultChannel)) this.creationQuota.created(ch, creator);
    return { ch, created: true };
  }

  /** The configured default room (config.defaultChannel): it belongs to the host, not its first joiner. */
  isDefaultRoom(ch: Channel): boolean {
    return this.config.defaultChannel !== '' && ch.folded === this.fold(this.config.defaultChannel);
  }

  /** Why `s` may not create channel `name` now (limits.maxChannels etc.), or null. */
  channelRefusal(s: Session, name: string): string | null {
    // the default room must always be possible: plain users are put there
    if (this.fold(name) === this.fold(this.config.defaultChannel)) return null;
    return this.creationQuota.refusal(s, this.channels.size, this.config.limits);
  }

  /** `s` leaves `ch` (the caller has told the members). `s.channels` is left alone when `detach` is false. */
  removeMember(ch: Channel, s: Session, detach = true): void {
    ch.members.delete(s);
    if (detach) s.channels.delete(ch);
    if (ch.members.size > 0) return;
    // with history on, an empty channel with a topic, modes or bans stays (and persists)
    // until it has been empty for limits.emptyChannelExpiryDays (History.expireChannels)
    if (this.history?.keepWhenEmpty(ch) === true) {
      ch.emptySince = this.now();
      this.history.channelChanged(ch);
    } else this.dropChannel(ch);
  }

  /** Forgets an (empty) channel. */
  dropChannel(ch: Channel): void {
    if (this.channels.get(ch.folded) === ch) this.channels.delete(ch.folded);
    this.creationQuota.dropped(ch);
  }

  /** Registers the session once NICK, USER, PASS and CAP negotiation are all done. */
  tryRegister(s: Session): void {
    if (s.registered || s.capNegotiating || s.loginPending || s.folded === '' || s.user === '') return;
    if (!s.passOk) {
      s.numeric(N.ERR_PASSWDMISMATCH, 'Password incorrect');
      this.disconnect(s, 'TINCAN_ERR_BAD_PASSWORD');
      return;
    }
    s.updateSource();
    if (this.admin.refuseIfBanned(s)) return;
    if (this.cluster !== null && !this.cluster.admit(s)) return;
    s.registered = true;
    this.#registeredCount++;
    s.signonAt = this.now();
    const users = this.userCount();
    if (users > this.maxUsers) this.maxUsers = users;
    // same record as s.log.info would write, without creating a child logger per client
    if (this.logger.isLevelEnabled('info')) this.logger.info({ conn: s.id, ip: s.ip, nick: s.nick }, 'registered');
    welcome(s, this);
    // a session joining its account's nick does not bring the nick online: it was
    if (this.nicks.get(s.folded) === s) monitorOnline(this, s);
    this.presence.registered(s);
    if (s.account !== null) this.mailbox.deliver(s.account);
    nickTaken(s, this);
  }

  userCount(): number {
    return this.#registeredCount;
  }

  operCount(): number {
    return this.#operCount;
  }

  /** registered users with user mode +i */
  invisibleCount(): number {
    return this.#invisibleCount;
  }

  stats(): { clients: number; channels: number } {
    return { clients: this.sessions.size, channels: this.channels.size };
  }

  // ---- lifecycle ------------------------------------------------------------------

  /**
   * Milliseconds the server has spent stalled (not running its tick on time), counting
   * the stall in progress: grows monotonically. Flood control credits this time to each
   * sender once, so lines a person typed during a stall are judged at their own pace.
   */
  stallTotal(): number {
    return this.#stalled + this.#late(this.now());
  }

  /** How late the next tick is at `now`, beyond a slack of half a period. */
  #late(now: number): number {
    const late = now - this.#lastTick - this.#tickMs;
    return late > this.#tickMs / 2 ? late : 0;
  }

  /** Registration and ping timeouts for every session, from one timer. */
  housekeeping(): void {
    const now = this.now();
    this.#stalled += this.#late(now);
    this.#lastTick = now;
    try {
      this.admin.tick(now);
    } catch (err) {
      this.logger.error({ err }, 'admin housekeeping failed');
    }
    const t = this.config.timeouts;
    for (const s of this.sessions) {
      if (s.closing) continue;
      try {
        this.#keep(s, now, t);
      } catch (err) {
        s.crashed(err, 'housekeeping');
      }
    }
  }

  #keep(s: Session, now: number, t: Config['timeouts']): void {
    if (!s.registered) {
      if (now - s.createdAt > t.registration * 1000) this.disconnect(s, 'TINCAN_ERR_REG_TIMEOUT');
      return;
    }
    if (s.nickGuardSince !== 0) checkNickGuard(s, now, this);
    if (s.multiline !== null) multilineTimeout(s, now);
    if (s.pingSentAt !== 0) {
      if (now - s.pingSentAt > t.pingTimeout * 1000) {
        this.disconnect(s, 'TINCAN_ERR_PING_TIMEOUT', String(Math.round((now - s.lastRecv) / 1000)));
      }
    } else if (now - s.lastRecv > t.pingInterval * 1000) {
      s.pingSentAt = now;
      s.send('PING :' + this.config.serverName);
    }
  }

  reload(config: Config): void {
    if (config.casemapping !== this.config.casemapping) {
      this.logger.warn('casemapping cannot change while running; keeping ' + this.config.casemapping);
      config = { ...config, casemapping: this.config.casemapping };
    }
    const floodChanged = JSON.stringify(config.flood) !== JSON.stringify(this.config.flood);
    const accountsToggled = config.accounts.enabled !== this.config.accounts.enabled;
    this.config = config;
    if (accountsToggled) announceAccountCaps(this, config.accounts.enabled);
    this.whowas.resize(config.limits.whowasSize);
    if (floodChanged) for (const s of this.sessions) s.applyFloodConfig();
    this.logger.info('configuration reloaded');
  }

  /** REHASH: re-read the config file; returns an error message or null. */
  rehash(): string | null {
    if (this.#reload === undefined) return null;
    try {
      this.reload(this.#reload());
      return null;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }

  async shutdown(reason: string = closeText('TINCAN_ERR_SHUTDOWN')): Promise<void> {
    this.#shuttingDown = true;
    clearInterval(this.#tick);
    const closing: Promise<void>[] = [];
    for (const s of [...this.sessions]) {
      closing.push(
        new Promise<void>((resolve) => {
          // resolve when the transport reports the close, or after 2 s at the latest
          const timer = setTimeout(done, 2000);
          timer.unref();
          const waiters = this.#closeWaiters;
          function done(): void {
            clearTimeout(timer);
            waiters.delete(s);
            resolve();
          }
          waiters.set(s, done);
        }),
      );
      this.disconnect(s, 'TINCAN_ERR_SHUTDOWN', reason);
    }
    await Promise.all(closing);
    await this.history?.close();
    await this.#onShutdown?.();
  }
}
