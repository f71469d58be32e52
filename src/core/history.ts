/**
 * The core's side of history: a write-behind buffer in front of a HistoryStore, channel
 * state persistence (topic, modes, key, limit, bans) and retention.
 *
 * Durability without stalling delivery: record() only pushes onto an array. The first
 * record of a tick schedules ONE flush in a microtask, which commits everything the
 * tick recorded in one transaction. Socket writes happen later, in the transport's
 * shared setImmediate (src/transports/tcp-connection.ts), so by the time any client can
 * have received a line, the embedded stores have committed it (they commit inside the
 * append() call). See docs/history.md for what survives kill -9 vs. power loss.
 *
 * A failing store never takes the server down: the batch goes back to the (bounded)
 * buffer, the error is logged, operators get a NOTICE, and the flush is retried with
 * backoff. Over `maxBuffered` events the oldest are dropped and counted.
 */
import type { Logger } from 'pino';
import type { ChannelState, Cursor, HistoryCommand, NewEvent, RangeQuery, SearchQuery, Storage, StoredEvent } from '../storage/types.js';
import { Channel } from './channel.js';
import type { IrcServer } from './server.js';

/** What record() needs from an outgoing message. */
export interface Stamped {
  readonly msgid: string;
  readonly time: number;
  readonly clientTags: string;
}

export interface HistoryOptions {
  storage: Storage;
  logger: Logger;
  /** events held in memory while the store fails (default 100,000) */
  maxBuffered?: number;
}

const PRUNE_CHUNK = 2000;
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 30_000;

/** True when a channel has state worth keeping while nobody is in it. */
export function hasPersistentState(ch: Channel): boolean {
  if (ch.topic !== '' || ch.key !== null || ch.limit !== null || ch.bans.length > 0) return true;
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
    emptySince: ch.emptySince,
  };
}

const DAY_MS = 86_400_000;

export class History {
  readonly storage: Storage;
  readonly #log: Logger;
  readonly #max: number;
  #srv: IrcServer | null = null;
  #buf: NewEvent[] = [];
  #chans = new Map<string, ChannelState | null>();
  #scheduled = false;
  #inFlight: Promise<void> | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  #retryMs = RETRY_MIN_MS;
  #failing = false;
  #closed = false;
  /** events dropped because the buffer overflowed while the store was failing */
  dropped = 0;
  #pruneTimer: NodeJS.Timeout | null = null;
  #pruning: Promise<number> | null = null;

  constructor(opts: HistoryOptions) {
    this.storage = opts.storage;
    this.#log = opts.logger.child({ component: 'history' });
    this.#max = opts.maxBuffered ?? 100_000;
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

  /** Events waiting for the next commit. */
  get pending(): number {
    return this.#buf.length;
  }

  // ---- recording ------------------------------------------------------------------

  /** Records a line delivered to channel `ch`. Cheap and synchronous; never throws. */
  record(ch: Channel, source: string, command: HistoryCommand, params: readonly string[], out: Stamped): void {
    if (this.#closed) return;
    this.#buf.push({ target: ch.folded, msgid: out.msgid, time: out.time, command, source, params, tags: out.clientTags });
    if (this.#buf.length > this.#max) {
      const over = this.#buf.length - this.#max;
      this.#buf.splice(0, over);
      this.dropped += over;
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

  /** Drops channels empty for longer than limits.emptyChannelExpiryDays, here and in the store. */
  expireChannels(): number {
    const srv = this.#srv;
    if (srv === null || this.#closed) return 0;
    const cutoff = srv.now() - srv.config.limits.emptyChannelExpiryDays * DAY_MS;
    let n = 0;
    for (const ch of srv.channels.values()) {
      if (ch.members.size > 0 || ch.emptySince === null || ch.emptySince > cutoff) continue;
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
    if (this.#scheduled || this.#retryTimer !== null) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.flushNow();
    });
  }

  /**
   * Commits everything recorded so far (synchronously for the embedded stores).
   * Returns a promise that settles when the commit attempt is over; never rejects.
   */
  flushNow(): Promise<void> {
    // one commit at a time; whatever was recorded meanwhile goes in the next one
    if (this.#inFlight !== null) return this.#inFlight.then(() => this.flushNow());
    if (this.#buf.length === 0 && this.#chans.size === 0) return Promise.resolve();
    const batch = this.#buf;
    const chans = this.#chans;
    this.#buf = [];
    this.#chans = new Map();
    let appended = false;
    const work = (async () => {
      await this.storage.history.append(batch);
      appended = true;
      for (const [folded, st] of chans) {
        if (st === null) await this.storage.channels.deleteChannel(folded);
        else await this.storage.channels.saveChannel(st);
        chans.delete(folded);
      }
    })();
    this.#inFlight = work.then(
      () => {
        this.#inFlight = null;
        if (this.#failing) {
          this.#failing = false;
          this.#retryMs = RETRY_MIN_MS;
          this.#log.warn('history store is writable again');
          this.#alert('History storage recovered; buffered messages were saved.');
        }
        if (this.#buf.length > 0 || this.#chans.size > 0) this.#schedule();
      },
      (err: unknown) => {
        this.#inFlight = null;
        this.#requeue(appended ? [] : batch, chans, err);
      },
    );
    return this.#inFlight;
  }

  #requeue(batch: NewEvent[], chans: Map<string, ChannelState | null>, err: unknown): void {
    // append is atomic: the whole batch is in, or none of it is and it is retried
    if (batch.length > 0) this.#buf = batch.concat(this.#buf);
    for (const [k, v] of chans) if (!this.#chans.has(k)) this.#chans.set(k, v);
    if (this.#buf.length > this.#max) {
      const over = this.#buf.length - this.#max;
      this.#buf.splice(0, over);
      this.dropped += over;
    }
    if (!this.#failing) {
      this.#failing = true;
      this.#log.error({ err }, 'history store write failed; buffering and retrying');
      this.#alert(`History storage is failing (${err instanceof Error ? err.message : String(err)}); messages are buffered in memory and retried.`);
    }
    if (this.#closed) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.flushNow();
    }, this.#retryMs);
    this.#retryTimer.unref();
    this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
  }

  #alert(text: string): void {
    const srv = this.#srv;
    if (srv === null) return;
    for (const s of srv.sessions) if (s.oper !== null && !s.closing) s.serverMessage('NOTICE', s.nick, '*** ' + text);
  }

  // ---- reading (every query sees what was recorded before it) -----------------------

  async range(q: RangeQuery): Promise<StoredEvent[]> {
    await this.flushNow();
    return this.storage.history.range(q);
  }

  async locate(target: string, msgid: string): Promise<Cursor | null> {
    await this.flushNow();
    return this.storage.history.locate(target, msgid);
  }

  async latestTimes(targets: readonly string[], after: number, before: number): Promise<Map<string, number>> {
    await this.flushNow();
    return this.storage.history.latestTimes(targets, after, before);
  }

  async search(q: SearchQuery): Promise<StoredEvent[]> {
    await this.flushNow();
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
    const cutoff = now - srv.config.limits.emptyChannelExpiryDays * DAY_MS;
    const all = await this.storage.channels.loadChannels();
    const states: ChannelState[] = [];
    for (const st of all) {
      if (typeof st.emptySince === 'number' && st.emptySince <= cutoff) await this.storage.channels.deleteChannel(st.folded);
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
      ch.topic = st.topic;
      ch.topicBy = st.topicBy;
      ch.topicAt = st.topicAt;
      ch.flags = new Set(st.flags);
      ch.key = st.key;
      ch.limit = st.limit;
      for (const b of st.bans) ch.addBan(b.mask, b.setBy, b.setAt, srv.fold);
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
    if (srv === null || this.#closed) return;
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

  /** Final flush, timers off, then closes the storage (History owns it). */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#retryTimer !== null) {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = null;
    }
    if (this.#pruneTimer !== null) clearTimeout(this.#pruneTimer);
    await this.#pruning?.catch(() => {});
    await this.flushNow();
    this.#closed = true;
    if (this.#buf.length > 0) this.#log.error({ lost: this.#buf.length }, 'history store unavailable at shutdown; buffered events lost');
    try {
      await this.storage.close();
    } catch (err) {
      this.#log.error({ err }, 'closing the history store failed');
    }
  }
}
