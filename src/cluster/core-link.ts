/**
 * The core on the cluster (docs/scale-out.md "The core on the cluster"): several tincan
 * nodes on one Redis are one server. Built on the lease and claims (node.ts) and the
 * Streams log (bus.ts); the core calls in through IrcServer.cluster (core/cluster-hooks.ts).
 *
 * - Remote users are proxy Sessions (a RemoteConn instead of a socket): in the nick
 *   registry and in channel member lists, never in `server.sessions`. So NAMES, WHO,
 *   WHOIS, ISON, LIST, MONITOR and the channel checks answer from the local view.
 * - Delivery: whatever the core sends to a proxy (channel fan-out, a private message, an
 *   INVITE, a KICK) is forwarded on this node's stream to the node holding the real
 *   session, and written there. Lines for one node and one line text are merged (one
 *   entry names every recipient), so a channel line costs one entry per capability
 *   variant, not one per member. Everything goes through one stream, in order.
 * - State: after each command of a local session the link compares the session's record
 *   and the named channels' state with what it last published, and publishes what
 *   changed (full records, so applying is idempotent and order-safe). A reconcile pass
 *   every second catches changes made outside a command (deferred replies, the admin
 *   console). Channel state converges last-writer-wins on a Lamport stamp (version, node).
 * - Acknowledged = in Redis: a command that sent anything across nodes has its
 *   sender's output held (Session.hold) until the XADD returned.
 * - A node that starts asks the others for a snapshot; a gap in a peer's stream asks
 *   that peer again; a peer whose lease ran out is gone: its users QUIT locally.
 */
import { enforceSanction } from '../admin/commands.js';
import type { SanctionChange } from '../admin/sanctions.js';
import type { MailboxChange } from '../accounts/offline.js';
import type { Logger } from 'pino';
import type { IrcServer } from '../core/server.js';
import { Session } from '../core/session.js';
import { Channel } from '../core/channel.js';
import type { ClusterHooks } from '../core/cluster-hooks.js';
import type { Connection, ConnectionHandlers } from '../transports/connection.js';
import type { IrcMessage } from '../protocol/message.js';
import type { ChannelState } from '../storage/types.js';
import { parse } from '../protocol/index.js';
import * as N from '../protocol/numerics.js';
import { applyChannelState, channelState } from '../core/history.js';
import { monitorOffline, monitorOnline } from '../core/commands/monitor.js';
import { changeNick } from '../core/commands/registration.js';
import { ClusterNode } from './node.js';
import { BusFullError, StreamBus } from './bus.js';

export interface LinkOptions {
  redis: string;
  cluster: string;
  nodeId?: string;
  leaseMs?: number;
  /** entries held while Redis is away (StreamBus maxPending) */
  maxPending?: number;
  /** bytes of entries waiting for Redis (default 64 MiB) */
  maxPendingBytes?: number;
  /** reconcile period, ms (default 1000) */
  reconcileMs?: number;
  /** XREAD block, ms (default 1000) */
  blockMs?: number;
}

/** A user record as published: what another node needs to show and reach this user. */
export interface UserRec {
  s: number;
  n: string;
  u: string;
  h: string;
  r: string;
  c: number;
  a: string | null;
  ac: string | null;
  /** user modes: i (invisible), B (bot), w (wallops) */
  f: string;
  o: string | null;
  on: number;
  sec: boolean;
  /** channels: folded name, display name, status bits */
  ch: [string, string, number][];
}

/** A channel's shared state: ChannelState without emptySince, plus the invite list. */
export type ChanRec = Omit<ChannelState, 'emptySince'> & { inv: string[] };

/** One change on the bus. */
export type Item =
  | ['f', string, number[], string] // forward: to node, session ids, the line
  | ['u', UserRec] // a user of the publisher, full record
  | ['q', number, string | null] // a user of the publisher left: its QUIT was forwarded, or (shutdown) the reason to announce
  | ['c', ChanRec, number, string] // channel state, version, the node that set it
  | ['a', string] // an account changed in the store (folded name)
  | ['z', SanctionChange] // an admin ban or mute set or lifted (saved in the shared store by the publisher)
  | ['m', MailboxChange] // a message started waiting for an offline account, or waiting ones were delivered
  | ['s', string] // asks for a snapshot: of everyone ('') or of one node
  | ['e', number[]]; // end of the publisher's snapshot: every user it has

/** commands that change no channel state: no channel comparison after them */
const READ_ONLY = new Set(['PRIVMSG', 'NOTICE', 'TAGMSG', 'PING', 'PONG', 'WHO', 'WHOIS', 'WHOWAS', 'NAMES', 'LIST', 'ISON', 'USERHOST', 'MONITOR', 'CHATHISTORY', 'MARKREAD', 'AWAY', 'SEARCH']);

/** items per bus entry, and a soft byte bound per entry */
const ITEMS_PER_ENTRY = 200;
const ENTRY_BYTES = 256 * 1024;

/** The stand-in connection of a remote user: writes go to its node. */
export class RemoteConn implements Connection {
  readonly id: number;
  readonly remotePort = 0;
  readonly queuedBytes = 0;
  secure: boolean;
  constructor(
    readonly link: CoreLink,
    readonly node: string,
    readonly sid: number,
    readonly remoteAddress: string,
    secure: boolean,
  ) {
    this.id = -sid;
    this.secure = secure;
  }
  attach(_h: ConnectionHandlers): void {}
  write(line: string): boolean {
    this.link.forward(this.node, this.sid, line);
    return true;
  }
  pause(): void {}
  resume(): void {}
  close(): void {}
}

const isProxy = (s: Session): boolean => s.conn instanceof RemoteConn;

interface Stamp {
  v: number;
  by: string;
}

export class CoreLink implements ClusterHooks {
  readonly srv: IrcServer;
  readonly node: ClusterNode;
  bus!: StreamBus;
  readonly #log: Logger;
  readonly #opts: LinkOptions;
  /** local registered sessions by id */
  readonly #local = new Map<number, Session>();
  /** remote users by `node/sid` */
  readonly #proxies = new Map<string, Session>();
  readonly #published = new WeakMap<Session, string>();
  readonly #chanDigest = new WeakMap<Channel, string>();
  readonly #stamps = new WeakMap<Channel, Stamp>();
  /** the nick each local session holds in Redis */
  readonly #claims = new Map<Session, string>();
  readonly #claiming = new Set<Session>();
  #items: Item[] = [];
  /** forward merging: per node, the lines of the current generation (each session at most once per generation) */
  #gen = new Map<string, { lines: Map<string, Item & { 0: 'f' }>; sids: Set<number> }>();
  #scheduled = false;
  /** lines forwarded so far (dispatch compares: did this command reach another node?) */
  #forwarded = 0;
  /** set when this node shuts down: its users' QUIT is announced by the others */
  #leaving: string | null = null;
  /** applying remote entries / announcing locally: nothing is forwarded */
  #muted = 0;
  #pendingBytes = 0;
  readonly #maxPendingBytes: number;
  #peers: string[] = [];
  #peersAt = 0;
  /** peers missing from the live list since (Date.now()); gone after #grace (one lease) */
  readonly #absent = new Map<string, number>();
  readonly #grace: number;
  #refreshing: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  #rejoining = false;
  #nextProxy = 0;
  /** for tests and stats: entries dropped because the cross-node queue was full */
  dropped = 0;
  /** entries handed to the bus */
  published = 0;

  private constructor(srv: IrcServer, node: ClusterNode, logger: Logger, opts: LinkOptions) {
    this.srv = srv;
    this.node = node;
    this.#log = logger.child({ cluster: opts.cluster, node: node.id });
    this.#opts = opts;
    this.#maxPendingBytes = opts.maxPendingBytes ?? 64 * 1024 * 1024;
    this.#grace = Math.max(500, node.leaseMs);
  }

  /** Joins the cluster and attaches to `srv` (srv.cluster = the link). */
  static async start(srv: IrcServer, logger: Logger, opts: LinkOptions): Promise<CoreLink> {
    let link: CoreLink | null = null;
    const node = await ClusterNode.start({
      redis: opts.redis,
      cluster: opts.cluster,
      ...(opts.nodeId === undefined ? {} : { nodeId: opts.nodeId }),
      ...(opts.leaseMs === undefined ? {} : { leaseMs: opts.leaseMs }),
      onLeaseLost: () => link?.leaseLost(),
      onError: (err) => logger.debug({ err }, 'redis'),
    });
    link = new CoreLink(srv, node, logger, opts);
    const l = link;
    try {
      await l.#refreshPeers();
      l.bus = await StreamBus.start({
        redis: opts.redis,
        cluster: opts.cluster,
        nodeId: node.id,
        peers: () => l.#peerList(),
        onEntry: (from, payload) => l.#onEntry(from, payload),
        onGap: (from) => {
          l.#log.warn({ peer: from }, 'entries from a node were lost: asking it for its state again');
          l.#push(['s', from]);
        },
        onError: (err) => l.#log.debug({ err }, 'redis bus'),
        ...(opts.maxPending === undefined ? {} : { maxPending: opts.maxPending }),
        ...(opts.blockMs === undefined ? {} : { blockMs: opts.blockMs }),
      });
    } catch (e) {
      await node.stop();
      throw e;
    }
    srv.cluster = l;
    srv.accounts.onChange = (folded) => l.#push(['a', folded]);
    srv.admin.sanctions.onChange = (change) => l.#push(['z', change]);
    srv.mailbox.onChange = (change) => l.#push(['m', change]);
    // what this node already has (rooms restored from the store), then ask for everyone else's
    l.#push(['s', '']);
    l.#snapshot();
    l.#timer = setInterval(() => l.#tick(), opts.reconcileMs ?? 1000);
    l.#timer.unref();
    l.#log.info({ peers: l.#peers.length }, `joined cluster ${opts.cluster} as node ${node.id}`);
    return l;
  }

  get id(): string {
    return this.node.id;
  }

  // ---- hooks (ClusterHooks) -------------------------------------------------------

  dispatch(s: Session, msg: IrcMessage, run: () => void): void {
    const release = s.hold();
    const before = this.#forwarded;
    try {
      run();
    } finally {
      if (!s.closing) this.#noteUser(s);
      this.#noteChannels(msg);
      // only lines to users on other nodes hold the acknowledgement: a state change
      // alone (a JOIN nobody elsewhere hears) does not keep local users waiting for Redis
      if (this.#forwarded === before) {
        release();
        if (this.#items.length > 0) void this.#flush().catch(() => {});
      } else {
        // acknowledged (echo, labeled reply) only once Redis has it
        this.#flush().then(release, (err: Error) => {
          if (!s.closing) s.serverMessage('FAIL', msg.command, 'CLUSTER_BUSY', `Not delivered to users on other nodes: ${err.message}`);
          release();
        });
      }
    }
  }

  admit(s: Session): boolean {
    const f = s.folded;
    if (this.#claims.get(s) === f) return true;
    if (this.#claiming.has(s)) return false;
    this.#claiming.add(s);
    s.loginPending = true;
    const done = (ok: boolean | null): void => {
      this.#claiming.delete(s);
      s.loginPending = false;
      if (s.closing) {
        if (ok === true) this.#release(f, s);
        return;
      }
      try {
        if (ok === true) {
          const old = this.#claims.get(s);
          if (old !== undefined && old !== f) this.#release(old, s);
          this.#claims.set(s, f);
        }
        if (s.folded !== f) {
          // the nick changed while it was being claimed: claim the new one
          if (ok === true) {
            this.#release(f, s);
            this.#claims.delete(s);
          }
          this.srv.tryRegister(s);
        } else if (ok === true) {
          this.srv.tryRegister(s);
        } else {
          s.numeric(N.ERR_NICKNAMEINUSE, s.nick, ok === null ? 'Nickname cannot be reserved right now (the cluster is unreachable); try again' : 'Nickname is already in use');
          if (this.srv.nicks.get(f) === s) this.srv.nicks.delete(f);
          s.setNick('*', '');
        }
        this.#noteUser(s);
      } catch (err) {
        s.crashed(err, 'cluster nick claim');
      }
    };
    // refused because this node's own lease is gone (Redis lost it): not "in use", try again
    this.node.claimNick(f, String(s.id)).then((ok) => done(ok || this.node.leaseHeld ? ok : null), () => done(null));
    return false;
  }

  rename(s: Session, wanted: string, folded: string): void {
    const reply = s.defer();
    const settle = (ok: boolean | null): void => {
      if (s.closing) {
        if (ok === true) this.#release(folded, s);
        return;
      }
      reply(() => {
        const holder = this.srv.nicks.get(folded);
        if (ok !== true || (holder !== undefined && holder !== s && !this.srv.presence.together(holder, s))) {
          if (ok === true) this.#release(folded, s);
          s.numeric(N.ERR_NICKNAMEINUSE, wanted, ok === null ? 'Nickname cannot be reserved right now (the cluster is unreachable); try again' : 'Nickname is already in use');
          return;
        }
        const old = this.#claims.get(s);
        changeNick(s, wanted, folded, this.srv);
        this.#claims.set(s, folded);
        if (old !== undefined && old !== folded) this.#release(old, s);
        this.#noteUser(s);
      });
    };
    this.node.claimNick(folded, String(s.id)).then((ok) => settle(ok || this.node.leaseHeld ? ok : null), () => settle(null));
  }

  left(s: Session): void {
    this.#local.delete(s.id);
    const f = this.#claims.get(s);
    this.#claims.delete(s);
    if (f !== undefined) this.#release(f, s);
    if (this.#published.has(s)) this.#push(['q', s.id, this.#leaving]);
  }

  remoteUsers(): number {
    return this.#proxies.size;
  }

  *everyone(): Iterable<Session> {
    yield* this.srv.sessions;
    yield* this.#proxies.values();
  }

  // ---- outgoing -----------------------------------------------------------------------

  /** @internal A line for a remote session (RemoteConn.write). */
  forward(node: string, sid: number, line: string): void {
    if (this.#muted > 0 || this.#stopped) return;
    let g = this.#gen.get(node);
    if (g === undefined || g.sids.has(sid)) {
      g = { lines: new Map(), sids: new Set() };
      this.#gen.set(node, g);
    }
    g.sids.add(sid);
    this.#forwarded++;
    const it = g.lines.get(line);
    if (it !== undefined) it[2].push(sid);
    else {
      const item: Item & { 0: 'f' } = ['f', node, [sid], line];
      g.lines.set(line, item);
      this.#items.push(item);
      this.#schedule();
    }
  }

  #push(item: Item): void {
    if (this.#stopped) return;
    // a state change starts a new forward generation: nothing is merged across it
    this.#gen.clear();
    this.#items.push(item);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      void this.#flush().catch(() => {});
    });
  }

  /** Publishes what is queued; resolves once Redis has all of it. */
  #flush(): Promise<void> {
    const items = this.#items;
    if (items.length === 0) return Promise.resolve();
    this.#items = [];
    this.#gen.clear();
    const sends: Promise<void>[] = [];
    let chunk: string[] = [];
    let bytes = 0;
    const send = (): void => {
      if (chunk.length === 0) return;
      const payload = '[' + chunk.join(',') + ']';
      chunk = [];
      bytes = 0;
      sends.push(this.#publish(payload));
    };
    for (const it of items) {
      const j = JSON.stringify(it);
      if (chunk.length >= ITEMS_PER_ENTRY || (bytes > 0 && bytes + j.length > ENTRY_BYTES)) send();
      chunk.push(j);
      bytes += j.length;
    }
    send();
    return Promise.all(sends).then(() => undefined);
  }

  #publish(payload: string): Promise<void> {
    if (this.#pendingBytes + payload.length > this.#maxPendingBytes) {
      this.#lostEntry();
      return Promise.reject(new BusFullError(this.#maxPendingBytes));
    }
    this.#pendingBytes += payload.length;
    this.published++;
    return this.bus.publish(payload).then(
      () => {
        this.#pendingBytes -= payload.length;
      },
      (err: Error) => {
        this.#pendingBytes -= payload.length;
        this.#lostEntry();
        throw err;
      },
    );
  }

  #lostEntry(): void {
    if (this.dropped++ === 0 || this.dropped % 1000 === 0) this.#log.error({ dropped: this.dropped }, 'cross-node queue full: entries dropped (the other nodes resynchronise)');
  }

  // ---- what changed -------------------------------------------------------------------

  #record(s: Session): UserRec {
    const ch: [string, string, number][] = [];
    for (const c of s.channels) ch.push([c.folded, c.name, c.members.get(s) ?? 0]);
    return {
      s: s.id,
      n: s.nick,
      u: s.user,
      h: s.ip,
      r: s.realname,
      c: s.caps,
      a: s.away,
      ac: s.account,
      f: (s.invisible ? 'i' : '') + (s.bot ? 'B' : '') + (s.wallops ? 'w' : ''),
      o: s.oper,
      on: s.signonAt,
      sec: s.conn.secure,
      ch,
    };
  }

  /** Publishes `s`'s record if it changed since last time. */
  #noteUser(s: Session): void {
    if (!s.registered || s.closing || isProxy(s) || s.lurking) return;
    this.#local.set(s.id, s);
    const rec = this.#record(s);
    const d = JSON.stringify(rec);
    if (this.#published.get(s) === d) return;
    this.#published.set(s, d);
    this.#push(['u', rec]);
  }

  #chanRec(ch: Channel): ChanRec {
    const { emptySince: _e, ...st } = channelState(ch);
    return { ...st, inv: [...ch.invited] };
  }

  #noteChannels(msg: IrcMessage): void {
    // commands that never change a channel's state (the hot ones): nothing to compare
    if (READ_ONLY.has(msg.command)) return;
    for (let i = 0; i < 2 && i < msg.params.length; i++) {
      const p = msg.params[i]!;
      if (p.charCodeAt(0) !== 35 /* # */ && p.charCodeAt(0) !== 38 /* & */) continue;
      for (const name of p.split(',')) {
        const ch = this.srv.findChannel(name);
        if (ch !== undefined) this.#noteChannel(ch);
      }
    }
  }

  /** Publishes `ch`'s state with a new stamp if it changed since last time. */
  #noteChannel(ch: Channel): void {
    const rec = this.#chanRec(ch);
    const d = JSON.stringify(rec);
    const last = this.#chanDigest.get(ch);
    if (last === d) return;
    this.#chanDigest.set(ch, d);
    // a room first seen here with the defaults is nothing to announce
    if (last === undefined && ch.members.size > 0 && [...ch.members.keys()].every(isProxy)) return;
    const st = this.#stamps.get(ch) ?? { v: 0, by: '' };
    const next = { v: st.v + 1, by: this.id };
    this.#stamps.set(ch, next);
    this.#push(['c', rec, next.v, next.by]);
  }

  #snapshot(): void {
    const sids: number[] = [];
    for (const s of this.srv.sessions) {
      if (!s.registered || s.closing || s.lurking) continue;
      this.#local.set(s.id, s);
      const rec = this.#record(s);
      this.#published.set(s, JSON.stringify(rec));
      this.#push(['u', rec]);
      sids.push(s.id);
    }
    for (const ch of this.srv.channels.values()) {
      const rec = this.#chanRec(ch);
      this.#chanDigest.set(ch, JSON.stringify(rec));
      const st = this.#stamps.get(ch) ?? { v: 0, by: '' };
      this.#push(['c', rec, st.v, st.by]);
    }
    this.#push(['e', sids]);
  }

  #tick(): void {
    if (this.#stopped) return;
    try {
      for (const s of this.#local.values()) this.#noteUser(s);
      for (const ch of this.srv.channels.values()) this.#noteChannel(ch);
    } catch (err) {
      this.#log.error({ err }, 'cluster reconcile failed');
    }
    void this.#refreshPeers();
  }

  // ---- peers ----------------------------------------------------------------------------

  #peerList(): readonly string[] | Promise<readonly string[]> {
    if (Date.now() - this.#peersAt < 500) return this.#peers;
    return this.#refreshPeers().then(() => this.#peers);
  }

  #refreshPeers(): Promise<void> {
    this.#refreshing ??= (async () => {
      try {
        const live = new Set((await this.node.liveNodes()).filter((n) => n !== this.id));
        const now = Date.now();
        this.#peersAt = now;
        for (const n of live) this.#absent.delete(n);
        // a node missing from the list for a while is gone; briefly missing is a node
        // taking a new lease (after Redis came back without it): still read, users kept
        const known = new Set<string>([...live, ...this.#peers]);
        for (const key of this.#proxies.keys()) known.add(key.slice(0, key.lastIndexOf('/')));
        const gone: string[] = [];
        for (const n of known) {
          if (live.has(n)) continue;
          const since = this.#absent.get(n) ?? now;
          this.#absent.set(n, since);
          if (now - since >= this.#grace) gone.push(n);
        }
        for (const n of gone) this.#absent.delete(n);
        this.#peers = [...known].filter((n) => live.has(n) || this.#absent.has(n));
        for (const n of gone) this.#nodeGone(n);
        if (gone.length > 0) await this.node.sweep();
      } catch (err) {
        // Redis away: keep the last list (its users stay until their node's lease is seen gone)
        this.#log.debug({ err }, 'could not list the live nodes');
      } finally {
        this.#refreshing = null;
      }
    })();
    return this.#refreshing;
  }

  #nodeGone(node: string): void {
    let n = 0;
    for (const [key, p] of [...this.#proxies]) {
      if (key.slice(0, key.lastIndexOf('/')) !== node) continue;
      this.#drop(key, p, `Quit: connection lost (server node ${node} stopped)`);
      n++;
    }
    this.#log.warn({ peer: node, users: n }, 'a node left the cluster (its lease ran out): its users quit');
  }

  leaseLost(): void {
    if (this.#rejoining || this.#stopped) return;
    this.#rejoining = true;
    this.#log.error('this node lost its cluster lease (paused or cut off from Redis too long): claiming its nicks again');
    const attempt = async (): Promise<void> => {
      try {
        await this.node.rejoin();
      } catch (err) {
        // Redis still away, or the old lease not expired yet: try again shortly
        this.#log.debug({ err }, 'could not take a new lease yet');
        if (!this.#stopped) setTimeout(() => void attempt(), Math.max(100, Math.floor(this.node.leaseMs / 3))).unref();
        return;
      }
      this.#rejoining = false;
      for (const [s, f] of [...this.#claims]) {
        try {
          if (!(await this.node.claimNick(f, String(s.id)))) this.#log.error({ nick: s.nick }, 'another node took a nick while this node was cut off: two users share it until one changes');
        } catch (err) {
          this.#log.warn({ err, nick: s.nick }, 'could not claim a nick again');
        }
      }
    };
    void attempt();
  }

  #release(folded: string, s: Session): void {
    this.node.releaseNick(folded, String(s.id)).catch(() => {
      // Redis away: the claim dies with this node's lease or is overwritten on the next claim by this session
    });
  }

  // ---- incoming -------------------------------------------------------------------------

  #onEntry(from: string, payload: string): void {
    let items: Item[];
    try {
      items = JSON.parse(payload) as Item[];
      if (!Array.isArray(items)) return;
    } catch {
      this.#log.warn({ peer: from }, 'unreadable cluster entry dropped');
      return;
    }
    this.#muted++;
    try {
      for (const it of items) {
        try {
          this.#apply(from, it);
        } catch (err) {
          this.#log.error({ err, peer: from, kind: it[0] }, 'could not apply a cluster entry');
        }
      }
    } finally {
      this.#muted--;
    }
  }

  #apply(from: string, it: Item): void {
    switch (it[0]) {
      case 'f':
        if (it[1] === this.id) this.#deliver(it[2], it[3]);
        return;
      case 'u':
        this.#upsert(from, it[1]);
        return;
      case 'q': {
        const key = from + '/' + it[1];
        const p = this.#proxies.get(key);
        if (p !== undefined) this.#drop(key, p, typeof it[2] === 'string' ? it[2] : null);
        return;
      }
      case 'c':
        this.#applyChannel(it[1], it[2], it[3]);
        return;
      case 'a':
        this.srv.accounts.refresh(it[1]).catch((err: unknown) => this.#log.warn({ err, account: it[1] }, 'could not re-read an account another node changed'));
        return;
      case 'z': {
        // a server ban set on another node holds here too, for this node's users
        const put = this.srv.admin.sanctions.applyRemote(it[1]);
        if (put !== null) enforceSanction(this.srv, put, this.srv.config.serverName);
        return;
      }
      case 'm':
        this.srv.mailbox.applyRemote(it[1]);
        return;
      case 's':
        if (it[1] === '' || it[1] === this.id) this.#snapshot();
        return;
      case 'e': {
        const have = new Set(it[1]);
        for (const [key, p] of [...this.#proxies]) {
          const slash = key.lastIndexOf('/');
          if (key.slice(0, slash) === from && !have.has(Number(key.slice(slash + 1)))) this.#drop(key, p, 'Quit: connection lost');
        }
        return;
      }
    }
  }

  /** Lines another node sent to sessions of this one. */
  #deliver(sids: number[], line: string): void {
    const to: Session[] = [];
    for (const sid of sids) {
      const s = this.#local.get(sid);
      if (s === undefined || s.closing) continue;
      s.send(line);
      to.push(s);
    }
    // a KICK or an o/v MODE by another node changes the real sessions here
    if (to.length > 0 && (line.includes(' KICK ') || line.includes(' MODE '))) this.#interpret(to, line);
  }

  #interpret(to: Session[], line: string): void {
    const r = parse(line);
    if (!r.ok) return;
    const m = r.msg;
    const ch = this.srv.findChannel(m.params[0] ?? '');
    if (ch === undefined) return;
    const find = (nick: string): Session | undefined => {
      const f = this.srv.fold(nick);
      return to.find((s) => s.folded === f && ch.members.has(s));
    };
    if (m.command === 'KICK') {
      const s = find(m.params[1] ?? '');
      if (s !== undefined) {
        this.srv.removeMember(ch, s);
        this.#noteUser(s);
      }
      return;
    }
    if (m.command !== 'MODE') return;
    const modes = m.params[1] ?? '';
    let arg = 2;
    let plus = true;
    for (const c of modes) {
      if (c === '+' || c === '-') plus = c === '+';
      else if (c === 'o' || c === 'v') {
        const s = find(m.params[arg++] ?? '');
        if (s === undefined) continue;
        const bit = c === 'o' ? 1 : 2;
        const st = ch.members.get(s) ?? 0;
        ch.members.set(s, plus ? st | bit : st & ~bit);
        this.#noteUser(s);
      } else if (c === 'b' || c === 'e' || c === 'I' || c === 'k' || (c === 'l' && plus)) arg++;
    }
  }

  #channel(folded: string, name: string, createdAt = this.srv.now()): Channel {
    let ch = this.srv.channels.get(folded);
    if (ch === undefined) {
      ch = new Channel(name, folded, createdAt);
      ch.emptySince = this.srv.now();
      this.srv.channels.set(folded, ch);
      this.#chanDigest.set(ch, JSON.stringify(this.#chanRec(ch)));
    }
    return ch;
  }

  #upsert(node: string, rec: UserRec): void {
    const srv = this.srv;
    const key = node + '/' + rec.s;
    let p = this.#proxies.get(key);
    const fresh = p === undefined;
    if (p === undefined) {
      p = new Session(--this.#nextProxy, new RemoteConn(this, node, rec.s, rec.h, rec.sec), srv, srv.now());
      p.registered = true;
      this.#proxies.set(key, p);
    }
    const folded = srv.fold(rec.n);
    const oldNick = p.nick;
    const oldFolded = p.folded;
    p.user = rec.u;
    p.realname = rec.r;
    p.caps = rec.c;
    p.away = rec.a;
    p.account = rec.ac;
    p.bot = rec.f.includes('B');
    p.wallops = rec.f.includes('w');
    p.invisible = rec.f.includes('i');
    p.oper = rec.o;
    p.signonAt = rec.on;
    if (fresh || oldFolded !== folded || oldNick !== rec.n) {
      if (oldFolded !== '' && srv.nicks.get(oldFolded) === p) srv.nicks.delete(oldFolded);
      p.setNick(rec.n, folded);
      const holder = srv.nicks.get(folded);
      if (holder === undefined || isProxy(holder)) srv.nicks.set(folded, p);
      else this.#log.warn({ nick: rec.n, peer: node }, 'a remote user has the nick of a local one (claims disagreed): the local one keeps it here');
      if (!fresh && oldFolded !== folded) {
        srv.whowas.add(oldFolded, { nick: oldNick, user: p.user, host: p.host, realname: p.realname }, srv.now());
        monitorOffline(srv, oldNick, oldFolded);
      }
      if (oldFolded !== folded) monitorOnline(srv, p);
    } else p.updateSource();
    // channels: the owner's view of its user's memberships and status
    const want = new Map<string, [string, number]>();
    for (const [f, name, st] of rec.ch) want.set(f, [name, st]);
    for (const ch of [...p.channels]) if (!want.has(ch.folded)) srv.removeMember(ch, p);
    for (const [f, [name, st]] of want) {
      const ch = this.#channel(f, name);
      if (!ch.members.has(p)) {
        p.channels.add(ch);
        ch.emptySince = null;
      }
      ch.members.set(p, st);
    }
  }

  #drop(key: string, p: Session, announce: string | null): void {
    const srv = this.srv;
    this.#proxies.delete(key);
    if (announce !== null) {
      // the users here hear it from this node; every other node tells its own
      this.#muted++;
      try {
        srv.sendToPeers(p, srv.outgoing(p.source, 'QUIT', [announce]), false);
      } finally {
        this.#muted--;
      }
    }
    for (const ch of [...p.channels]) srv.removeMember(ch, p);
    if (srv.nicks.get(p.folded) === p) {
      srv.nicks.delete(p.folded);
      srv.whowas.add(p.folded, p, srv.now());
      monitorOffline(srv, p.nick, p.folded);
    }
    // uncount its +i/+o (LUSERS)
    p.invisible = false;
    p.oper = null;
    p.dispose();
  }

  #applyChannel(rec: ChanRec, v: number, by: string): void {
    const ch = this.#channel(rec.folded, rec.name, rec.createdAt);
    const cur = this.#stamps.get(ch) ?? { v: 0, by: '' };
    if (v < cur.v || (v === cur.v && by <= cur.by)) return;
    this.#stamps.set(ch, { v, by });
    applyChannelState(ch, { ...rec, emptySince: ch.emptySince }, this.srv.fold);
    ch.invited.clear();
    for (const i of rec.inv) ch.invited.add(i);
    this.#chanDigest.set(ch, JSON.stringify(this.#chanRec(ch)));
  }

  // ---- lifecycle --------------------------------------------------------------------------

  /**
   * This node is shutting down: the core sends no QUIT per user then (everyone is
   * leaving), so the other nodes announce `reason` for each of its users.
   */
  beginShutdown(reason: string): void {
    this.#leaving = reason;
  }

  /** Publishes what is left, leaves the cluster (releasing every nick), closes the connections. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    await this.#flush().catch(() => {});
    this.#stopped = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    if (this.srv.cluster === this) this.srv.cluster = null;
    await this.bus.stop();
    await this.node.stop();
  }
}
