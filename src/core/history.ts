/**
 * The core's side of history: a write-behind buffer in front of a HistoryStore, channel
 * state persistence (topic, modes, key, limit, bans) and retention.
 *
 * Durability without stalling delivery: record() only appends the event's bytes to the
 * buffer (history-buffer.ts: off the V8 heap, so a backlog behind a slow commit costs
 * the collector nothing). The first record of a tick schedules ONE flush in a
 * microtask, which hands everything the tick recorded to the store as one transaction; one commit is in flight at a time, and what
 * is recorded meanwhile goes in the next one. What that guarantees depends on the store
 * (docs/history.md):
 * - a store that commits inside append() (memory, SQLite with the inline writer): the
 *   commit is done before the transport's shared setImmediate writes the sockets
 *   (src/transports/tcp-connection.ts), so a line any client received is committed;
 * - SQLite with its writer thread (`tincan serve`) and networked stores: delivery does not
 *   wait for the commit (a slow disk stalls nobody). A line may reach clients before its
 *   commit is acknowledged; kill -9 loses at most the lines recorded since the last
 *   acknowledged commit (the one batch in flight plus what was recorded meanwhile, bounded
 *   by maxBufferedBytes), never one from before it. Every read (CHATHISTORY, search)
 *   waits for the commits pending when it was asked, so whatever a client was ever
 *   answered about is committed.
 *
 * A failing store never takes the server down (an outage): the batch goes back to the
 * buffer, the error is logged, operators get a NOTICE, the members of the affected
 * channels get one "history is paused" NOTICE (and one "resumed" when it is over), and
 * the backlog is retried oldest first in bounded batches, each its own transaction,
 * halving the batch when it does not fit, so space freed in dribs saves what it can.
 * Retries back off (0.25 s to 30 s) on an injectable timer. The backlog is bounded in
 * events and bytes; beyond that the oldest events are dropped, counted and logged.
 *
 * Over 500 lines because the buffer, the outage retry and the channel-state writes share
 * one ordering (state must commit after the events it follows) and one close(); split,
 * that ordering would cross module boundaries.
 */
import type { Logger } from 'pino';
import type { ChannelState, Cursor, HistoryCommand, RangeQuery, SearchQuery, Storage, StoredEvent } from '../storage/types.js';
import { isStorageFull } from '../storage/errors.js';
import { EventBuffer, type EventBatch } from './history-buffer.js';
import { Channel } from './channel.js';
import type { IrcServer } from './server.js';
import type { Session } from './session.js';

/** What record() needs from an outgoing message. */
export interface Stamped {
  readonly msgid: string;
  readonly time: number;
  readonly clientTags: string;
}

/** The retry timer (injectable so tests can drive the backoff). */
export interface RetryTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface HistoryOptions {
  storage: Storage;
  logger: Logger;
  /** events held in memory while the store fails (default 100,000) */
  maxBuffered?: number;
  /** bytes (encoded, event-codec.ts) held in memory while the store fails (default 32 MiB) */
  maxBufferedBytes?: number;
  /** most events per retry transaction (default 500) */
  retryBatch?: number;
  /** default: setTimeout/clearTimeout, unref'd */
  timers?: RetryTimers;
}

const PRUNE_CHUNK = 2000;
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 30_000;

const NODE_TIMERS: RetryTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** True when a channel has state worth keeping while nobody is in it. */
export function hasPersistentState(ch: Channel): boolean {
  if (ch.topic !== '' || ch.key !== null || ch.limit !== null || ch.bans.length > 0 || ch.excepts.length > 0 || ch.invex.length > 0 || ch.founder !== null) return true;
  return [...ch.flags].sort().join('') !== 'nt';
}

export function channelState(ch: Channel): ChannelState {
  return {
    folded: ch.folded,
    name: ch.name,
    createdAt: ch.createdAt,
    topic: ch.topic,
    topicBy: ch.topicBy,
    topicAt: ch.topicAt,
    flags: [...ch.flags].sort().join(''),
    key: ch.key,
    limit: ch.limit,
    bans: ch.bans.map((b) => ({ mask: b.mask, setBy: b.setBy, setAt: b.setAt })),
    excepts: ch.excepts.map((b) => ({ mask: b.mask, setBy: b.setBy, setAt: b.setAt })),
    invex: ch.invex.map((b) => ({ mask: b.mask, setBy: b.setBy, setAt: b.setAt })),
    emptySince: ch.emptySince,
    founder: ch.founder,
    ops: [...ch.opAccounts],
  };
}

/** Sets `ch`'s topic, modes, lists and founder to `st` (a restart; another node's change). */
export function applyChannelState(ch: Channel, st: ChannelState, fold: (s: string) => string): void {
  ch.topic = st.topic;
  ch.topicBy = st.topicBy;
  ch.topicAt = st.topicAt;
  ch.flags = new Set(st.flags);
  ch.key = st.key;
  ch.limit = st.limit;
  ch.bans = [];
  ch.excepts = [];
  ch.invex = [];
  for (const b of st.bans) ch.addBan(b.mask, b.setBy, b.setAt, fold);
  for (const b of st.excepts ?? []) ch.addMask('e', b.mask, b.setBy, b.setAt, fold);
  for (const b of st.invex ?? []) ch.addMask('I', b.mask, b.setBy, b.setAt, fold);
  ch.founder = st.founder ?? null;
  ch.opAccounts.clear();
  for (const a of st.ops ?? []) ch.opAccounts.add(a);
}

const DAY_MS = 86_400_000;

/**
 * When an empty room with `founder` (null = none) expires: a founded room is someone's,
 * so it waits longer (limits.foundedChannelExpiryDays), but not forever, or accounts
 * made for the purpose could hold limits.maxChannels rooms for good.
 */
function expiryCutoffs(srv: IrcServer): (founder: string | null) => number {
  const now = srv.now();
  const plain = now - srv.config.limits.emptyChannelExpiryDays * DAY_MS;
  const founded = now - srv.config.limits.foundedChannelExpiryDays * DAY_MS;
  return (founder) => (founder === null ? plain : founded);
}

export class History {
  readonly storage: Storage;
  readonly #log: Logger;
  readonly #max: number;
  readonly #maxBytes: number;
  readonly #retryBatch: number;
  readonly #timers: RetryTimers;
  #srv: IrcServer | null = null;
  /** recorded, not yet committed, oldest first (as bytes: history-buffer.ts says why) */
  readonly #buf = new EventBuffer();
  #chans = new Map<string, ChannelState | null>();
  #scheduled = false;
  #inFlight: Promise<void> | null = null;
  /** the flush that starts when #inFlight settles, shared by everyone waiting for it */
  #next: Promise<void> | null = null;
  #retryTimer: unknown = null;
  #retryMs = RETRY_MIN_MS;
  /** events per retry transaction: halved when a batch does not fit, doubled when one does */
  #batch: number;
  #failing = false;
  #closing = false;
  #closed = false;
  // one outage (from the first failed write until the backlog is saved)
  #outageFull = false;
  #outageDropped = 0;
  /** channels whose members were told history is paused, and who was told */
  #pausedChans = new Set<string>();
  #told = new WeakSet<Session>();
  #toTell: string[] = [];
  #toTellNicks: string[] = [];
  #tellScheduled = false;
  /** events dropped because the buffer overflowed while the store was failing */
  dropped = 0;
  #pruneTimer: NodeJS.Timeout | null = null;
  /** redactions and renames handed to the store, not yet done */
  #changes = new Set<Promise<number>>();
  #pruning: Promise<number> | null = null;

  constructor(opts: HistoryOptions) {
    this.storage = opts.storage;
    this.#log = opts.logger.child({ component: 'history' });
    this.#max = opts.maxBuffered ?? 100_000;
    this.#maxBytes = opts.maxBufferedBytes ?? 32 * 1024 * 1024;
    this.#retryBatch = this.#batch = Math.max(1, opts.retryBatch ?? 500);
    this.#timers = opts.timers ?? NODE_TIMERS;
  }

  /** Called by IrcServer's constructor. Starts retention. */
  attach(srv: IrcServer): void {
    this.#srv = srv;
    this.#schedulePrune();
  }

  /** True while the store is failing (writes are being retried). */
  get failing(): boolean {
    return this.#failing;
  }

  /** True while a commit is in flight (handed to the store, not yet acknowledged). */
  get committing(): boolean {
    return this.#inFlight !== null;
  }

  /** Events waiting for the next commit. */
  get pending(): number {
    return this.#buf.length;
  }

  /** Encoded bytes of the events waiting (event-codec.ts encodedSize). */
  get pendingBytes(): number {
    return this.#buf.bytes;
  }

  // ---- recording ------------------------------------------------------------------

  /**
   * Records a line for a target that is not a channel (privateTarget, waitingTarget in
   * storage/types.ts): as record(), without the channel's outage notices.
   */
  recordTarget(target: string, source: string, command: HistoryCommand, params: readonly string[], out: Stamped): void {
    if (this.#closed) return;
    this.#buf.push(target, out.msgid, out.time, command, source, params, out.clientTags);
    this.#trim();
    if (!this.#failing) this.#schedule();
  }

  /**
   * Deletes what `targets` hold from before `before` (null = everything), buffered
   * events included; the store's delete runs after what is being written now.
   * Resolves to how many stored events went.
   */
  async deleteTargets(targets: readonly string[], before: number | null): Promise<number> {
    this.#buf.removeTargets(new Set(targets), before);
    await this.flushNow();
    return this.storage.history.deleteTargets(targets, before);
  }

  /**
   * Deletes the message `msgid` of `target` (a redaction): from the buffer if it is not
   * written yet, else from the store after what is being written now.
   */
  async deleteMessage(target: string, msgid: string): Promise<number> {
    if (this.#buf.removeMessage(target, msgid)) return 1;
    return this.#pending(this.flushNow().then(() => this.storage.history.deleteMessage(target, msgid)));
  }

  /**
   * Channel `ch` was renamed from `oldFolded` (draft/channel-rename): its stored events
   * and state move to the new name, after what is being written now.
   */
  channelRenamed(oldFolded: string, ch: Channel): Promise<number> {
    if (this.#closed) return Promise.resolve(0);
    if (oldFolded !== ch.folded) this.#chans.set(oldFolded, null);
    this.channelChanged(ch);
    if (oldFolded === ch.folded) return Promise.resolve(0);
    return this.#pending(this.flushNow().then(() => this.storage.history.renameTarget(oldFolded, ch.folded)));
  }

  /** Tracks a store change that reads must wait for: a query asked after it never misses it. */
  #pending(p: Promise<number>): Promise<number> {
    this.#changes.add(p);
    void p.then(
      () => this.#changes.delete(p),
      () => this.#changes.delete(p),
    );
    return p;
  }

  /** What every read waits for: the commits and redactions pending when it was asked. */
  async #settled(): Promise<void> {
    await this.flushNow();
    if (this.#changes.size > 0) await Promise.allSettled([...this.#changes]);
  }

  /** Targets starting with `prefix` (after what is buffered is written). */
  async targets(prefix: string, limit: number): Promise<string[]> {
    await this.flushNow();
    return this.storage.history.targets(prefix, limit);
  }

  /** Records a line delivered to channel `ch`. Cheap and synchronous; never throws. */
  record(ch: Channel, source: string, command: HistoryCommand, params: readonly string[], out: Stamped): void {
    if (this.#closed) return;
    this.#buf.push(ch.folded, out.msgid, out.time, command, source, params, out.clientTags);
    this.#trim();
    if (this.#failing) {
      // a newly affected room is news to all its members; a joiner may be new to the outage
      if (!this.#pausedChans.has(ch.folded)) this.#notePaused(ch.folded);
      else if (command === 'JOIN') this.#notePaused(null, source.split('!', 1)[0]!);
      return;
    }
    this.#schedule();
  }

  /** Topic, modes, key, limit or bans of `ch` changed (or it is being dropped). */
  channelChanged(ch: Channel): void {
    if (this.#closed) return;
    this.#chans.set(ch.folded, hasPersistentState(ch) ? channelState(ch) : null);
    this.#schedule();
  }

  /**
   * An empty channel stays (with its modes) while it has state worth keeping, until it
   * has been empty for limits.emptyChannelExpiryDays (expireChannels).
   */
  keepWhenEmpty(ch: Channel): boolean {
    return hasPersistentState(ch);
  }

  /**
   * Drops channels empty for longer than limits.emptyChannelExpiryDays (founded ones:
   * limits.foundedChannelExpiryDays), here and in the store.
   */
  expireChannels(): number {
    const srv = this.#srv;
    if (srv === null || this.#closed) return 0;
    const cutoff = expiryCutoffs(srv);
    let n = 0;
    for (const ch of srv.channels.values()) {
      if (ch.members.size > 0 || ch.emptySince === null || ch.emptySince > cutoff(ch.founder)) continue;
      srv.dropChannel(ch);
      this.#chans.set(ch.folded, null);
      n++;
    }
    if (n > 0) {
      this.#schedule();
      this.#log.info({ expired: n }, 'forgot rooms that stayed empty');
    }
    return n;
  }

  #schedule(): void {
    // during an outage the retry timer drains the backlog (in batches, oldest first)
    if (this.#scheduled || this.#failing) return;
    this.#scheduled = true;
    const run = (): void => {
      this.#scheduled = false;
      // a commit in flight reschedules when it settles: no promise chain per tick
      if (this.#inFlight === null) void this.flushNow();
    };
    const window = this.storage.commitWindowMs ?? 0;
    if (window > 0) setTimeout(run, window).unref();
    else queueMicrotask(run);
  }

  /** Drops the oldest buffered events beyond the count and byte bounds (counted, logged). */
  #trim(): void {
    if (this.#buf.length <= this.#max && this.#buf.heldBytes <= this.#maxBytes) return;
    const n = this.#buf.dropOldest(this.#max, this.#maxBytes);
    if (n === 0) return;
    if (this.#outageDropped === 0) {
      this.#log.error({ maxEvents: this.#max, maxBytes: this.#maxBytes }, 'history backlog is full; dropping the oldest unsaved events');
    }
    this.dropped += n;
    this.#outageDropped += n;
  }

  /**
   * Commits everything recorded so far (synchronously for the embedded stores).
   * Returns a promise that settles when the commit attempt is over; never rejects.
   * During an outage it does not touch the store (the retry timer does): readers get
   * what is stored.
   */
  flushNow(): Promise<void> {
    // one commit at a time; whatever was recorded meanwhile goes in the next one
    if (this.#inFlight !== null) {
      this.#next ??= this.#inFlight.then(() => {
        this.#next = null;
        return this.flushNow();
      });
      return this.#next;
    }
    if (this.#failing) return Promise.resolve();
    if (this.#buf.length === 0 && this.#chans.size === 0) return Promise.resolve();
    const batch = this.#buf.takeAll();
    const chans = this.#chans;
    this.#chans = new Map();
    let appended = false;
    const work = (async () => {
      await this.#append(batch);
      appended = true;
      await this.#saveChannels(chans);
    })();
    this.#inFlight = work.then(
      () => {
        this.#inFlight = null;
        // a slow writer dropped lines (not an outage): log again after the next such stall
        if (!this.#failing && this.#outageDropped > 0 && this.#buf.length === 0) {
          this.#log.warn({ dropped: this.#outageDropped }, 'history writer caught up; the oldest unsaved events were dropped while it was slow');
          this.#outageDropped = 0;
        }
        if (this.#buf.length > 0 || this.#chans.size > 0) this.#schedule();
      },
      (err: unknown) => {
        this.#inFlight = null;
        if (!appended) this.#buf.putBack(batch);
        this.#requeueChannels(chans);
        this.#trim();
        this.#failed(err, false);
      },
    );
    return this.#inFlight;
  }

  /** One batch to the store: as bytes where it takes them (the SQLite write thread), else as objects. */
  async #append(batch: EventBatch): Promise<void> {
    if (batch.count === 0) return;
    const h = this.storage.history;
    if (h.appendEncoded !== undefined) await h.appendEncoded(batch.toBytes());
    else await h.append(batch.decode());
  }

  async #saveChannels(chans: Map<string, ChannelState | null>): Promise<void> {
    for (const [folded, st] of chans) {
      if (st === null) await this.storage.channels.deleteChannel(folded);
      else await this.storage.channels.saveChannel(st);
      chans.delete(folded);
    }
  }

  #requeueChannels(chans: Map<string, ChannelState | null>): void {
    // newer changes recorded meanwhile win
    for (const [k, v] of chans) if (!this.#chans.has(k)) this.#chans.set(k, v);
  }

  /** A write failed: start the outage (once) and arm the retry. */
  #failed(err: unknown, progressed: boolean): void {
    if (!this.#failing) {
      this.#failing = true;
      this.#outageFull = isStorageFull(err);
      this.#pausedChans = new Set();
      this.#told = new WeakSet();
      this.#log.error({ err, pending: this.#buf.length }, 'history store write failed; buffering and retrying');
      this.#alert(`History storage is failing (${err instanceof Error ? err.message : String(err)}); messages are buffered in memory and retried.`);
      for (const t of this.#buf.targets()) this.#notePaused(t);
    } else if (!this.#outageFull && isStorageFull(err)) {
      this.#outageFull = true;
    }
    // space is coming back (some batches went in): retry soon, not at the backed-off pace
    if (progressed) this.#retryMs = RETRY_MIN_MS;
    this.#armRetry();
  }

  #armRetry(): void {
    if (this.#closing || this.#retryTimer !== null) return;
    this.#retryTimer = this.#timers.setTimeout(() => {
      this.#retryTimer = null;
      void this.#drain();
    }, this.#retryMs);
    this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
  }

  /**
   * Saves the backlog oldest first, one transaction per batch, a turn of the event loop
   * between batches. A batch that fails is halved and tried again at once, down to one
   * event; then the retry timer takes over. Ends the outage when everything is saved.
   */
  #drain(): Promise<void> {
    if (this.#inFlight !== null) return this.#inFlight.then(() => this.#drain());
    const work = (async (): Promise<void> => {
      let progressed = false;
      try {
        while (this.#buf.length > 0) {
          const n = Math.min(this.#batch, this.#buf.length);
          const batch = this.#buf.takeOldest(n);
          try {
            await this.#append(batch);
          } catch (err) {
            this.#buf.putBack(batch);
            this.#trim();
            if (n === 1) throw err;
            this.#batch = Math.max(1, n >> 1);
            continue;
          }
          progressed = true;
          this.#batch = Math.min(this.#retryBatch, this.#batch * 2);
          if (this.#buf.length > 0) await nextTurn();
        }
        const chans = this.#chans;
        this.#chans = new Map();
        try {
          await this.#saveChannels(chans);
        } catch (err) {
          this.#requeueChannels(chans);
          throw err;
        }
      } catch (err) {
        this.#failed(err, progressed);
        return;
      }
      if (this.#buf.length > 0 || this.#chans.size > 0) {
        // recorded while the last batch was in flight (a networked store): go on
        this.#armRetry();
        return;
      }
      this.#recovered();
    })();
    this.#inFlight = work.finally(() => (this.#inFlight = null));
    return this.#inFlight;
  }

  #recovered(): void {
    if (!this.#failing) return;
    this.#failing = false;
    this.#retryMs = RETRY_MIN_MS;
    this.#batch = this.#retryBatch;
    const lost = this.#outageDropped;
    this.#log.warn({ dropped: lost }, lost === 0 ? 'history store is writable again; the backlog is saved' : `history store is writable again; ${lost} event(s) were dropped`);
    this.#alert(lost === 0 ? 'History storage recovered; buffered messages were saved.' : `History storage recovered; buffered messages were saved except the oldest ${lost}.`);
    const text =
      lost === 0
        ? '*** History resumed: the messages sent while it was paused are saved.'
        : `*** History resumed: messages are saved again, but the oldest ${lost} sent while it was paused could not be kept.`;
    const srv = this.#srv;
    if (srv !== null) for (const s of srv.sessions) if (this.#told.has(s) && !s.closing) s.serverMessage('NOTICE', s.nick, text);
    this.#pausedChans = new Set();
    this.#told = new WeakSet();
    this.#toTell = [];
    this.#toTellNicks = [];
    this.#outageDropped = 0;
  }

  /** Tells the members of `folded`, or `nick` (once per outage each), that history is paused. */
  #notePaused(folded: string | null, nick?: string): void {
    if (folded !== null) {
      this.#pausedChans.add(folded);
      this.#toTell.push(folded);
    }
    if (nick !== undefined) this.#toTellNicks.push(nick);
    if (this.#tellScheduled) return;
    this.#tellScheduled = true;
    // outside the handler that recorded: it may be iterating members
    queueMicrotask(() => {
      this.#tellScheduled = false;
      const srv = this.#srv;
      const todo = this.#toTell;
      const nicks = this.#toTellNicks;
      this.#toTell = [];
      this.#toTellNicks = [];
      if (srv === null || !this.#failing || this.#closing) return;
      const why = this.#outageFull ? "the server's disk is full" : 'the server cannot write to its history store';
      const text = `*** History is paused: ${why}. Messages are still delivered, and are kept in memory to be saved when it recovers.`;
      const tell = (s: Session | undefined): void => {
        if (s === undefined || this.#told.has(s) || s.closing) return;
        this.#told.add(s);
        s.serverMessage('NOTICE', s.nick, text);
      };
      for (const folded of new Set(todo)) {
        const ch = srv.channels.get(folded);
        if (ch !== undefined) for (const s of [...ch.members.keys()]) tell(s);
      }
      for (const nick of nicks) tell(srv.nicks.get(srv.fold(nick)));
    });
  }

  #alert(text: string): void {
    const srv = this.#srv;
    if (srv === null) return;
    for (const s of srv.sessions) if (s.oper !== null && !s.closing) s.serverMessage('NOTICE', s.nick, '*** ' + text);
  }

  // ---- reading (every query sees what was recorded before it) -----------------------

  async range(q: RangeQuery): Promise<StoredEvent[]> {
    await this.#settled();
    return this.storage.history.range(q);
  }

  async presence(target: string, nick: string, limit: number): Promise<StoredEvent[]> {
    await this.#settled();
    return this.storage.history.presence(target, nick, limit);
  }

  async locate(target: string, msgid: string): Promise<Cursor | null> {
    await this.#settled();
    return this.storage.history.locate(target, msgid);
  }

  async latestTimes(targets: readonly string[], after: number, before: number): Promise<Map<string, number>> {
    await this.#settled();
    return this.storage.history.latestTimes(targets, after, before);
  }

  async search(q: SearchQuery): Promise<StoredEvent[]> {
    await this.#settled();
    return this.storage.history.search(q);
  }

  // ---- channel state ------------------------------------------------------------------

  /**
   * Recreates stored channels (empty, with their topic, modes and bans) in `srv`.
   * Channels empty for longer than limits.emptyChannelExpiryDays are deleted instead;
   * beyond limits.maxChannels the most recently used are kept. Returns how many came back.
   */
  async restoreChannels(srv: IrcServer): Promise<number> {
    const now = srv.now();
    const cutoff = expiryCutoffs(srv);
    const all = await this.storage.channels.loadChannels();
    const states: ChannelState[] = [];
    for (const st of all) {
      if (typeof st.emptySince === 'number' && st.emptySince <= cutoff(st.founder ?? null)) await this.storage.channels.deleteChannel(st.folded);
      else states.push(st);
    }
    const room = srv.config.limits.maxChannels - srv.channels.size;
    if (states.length > room) {
      // occupied at shutdown (no emptySince) counts as the most recent
      const used = (st: ChannelState): number => st.emptySince ?? now;
      states.sort((a, b) => used(b) - used(a) || b.topicAt - a.topicAt);
      this.#log.warn({ stored: states.length, kept: Math.max(0, room) }, 'more stored rooms than limits.maxChannels; the least recently used stay on disk unloaded');
      states.length = Math.max(0, room);
    }
    for (const st of states) {
      if (srv.channels.has(st.folded)) continue;
      const ch = new Channel(st.name, st.folded, st.createdAt);
      applyChannelState(ch, st, srv.fold);
      // empty from now on if it was occupied at shutdown: the expiry clock starts here
      ch.emptySince = st.emptySince ?? now;
      srv.channels.set(st.folded, ch);
      if (st.emptySince === undefined || st.emptySince === null) this.channelChanged(ch);
    }
    return states.length;
  }

  // ---- retention ---------------------------------------------------------------------

  #schedulePrune(): void {
    const srv = this.#srv;
    if (srv === null || this.#closing) return;
    this.#pruneTimer = setTimeout(() => {
      this.expireChannels();
      this.pruneNow().finally(() => this.#schedulePrune());
    }, srv.config.history.pruneIntervalSeconds * 1000);
    this.#pruneTimer.unref();
  }

  /**
   * Applies history.maxAgeDays and history.maxPerChannel now, in chunks with a turn of
   * the event loop between them. Resolves with the number of events deleted.
   */
  pruneNow(): Promise<number> {
    this.#pruning ??= this.#prune().finally(() => (this.#pruning = null));
    return this.#pruning;
  }

  async #prune(): Promise<number> {
    const srv = this.#srv;
    if (srv === null) return 0;
    const h = srv.config.history;
    if (h.maxAgeDays === null && h.maxPerChannel === null) return 0;
    await this.flushNow();
    const olderThan = h.maxAgeDays === null ? null : srv.now() - h.maxAgeDays * 86_400_000;
    let total = 0;
    try {
      for (;;) {
        const n = await this.storage.history.prune({ olderThan, maxPerTarget: h.maxPerChannel, maxRows: PRUNE_CHUNK });
        total += n;
        if (n < PRUNE_CHUNK || this.#closed) break;
        await new Promise<void>((r) => setImmediate(r));
      }
    } catch (err) {
      this.#log.error({ err }, 'history retention failed; will try again next interval');
    }
    if (total > 0) this.#log.info({ deleted: total }, 'history retention pruned old events');
    return total;
  }

  /**
   * Final flush, timers off, then closes the storage (History owns it). During an
   * outage it saves what fits (in batches) and logs what could not be saved.
   */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    if (this.#retryTimer !== null) {
      this.#timers.clearTimeout(this.#retryTimer);
      this.#retryTimer = null;
    }
    if (this.#pruneTimer !== null) clearTimeout(this.#pruneTimer);
    await this.#pruning?.catch(() => {});
    await this.flushNow();
    const before = this.#buf.length;
    if (this.#failing) await this.#drain();
    this.#closed = true;
    if (this.#buf.length > 0 || this.#chans.size > 0) {
      const lost = this.#buf.length;
      const channels = [...this.#buf.targets()].slice(0, 20);
      this.#log.error(
        { saved: before - lost, lost, dropped: this.#outageDropped, channels, channelStates: this.#chans.size },
        `history store ${this.#outageFull ? 'full' : 'unavailable'} at shutdown: saved ${before - lost} of ${before} buffered event(s); ${lost} lost`,
      );
    }
    try {
      await this.storage.close();
    } catch (err) {
      this.#log.error({ err }, 'closing the history store failed');
    }
  }
}
