/**
 * Cross-node delivery on Redis Streams (docs/scale-out.md), the brick after the leases
 * in node.ts; the core uses it through core-link.ts.
 *
 * Each node appends what it sends to its own stream, `tincan:{cluster}:out:<node>`
 * (XADD, capped with MAXLEN ~), and reads its peers' streams from the last entry it
 * processed (XREAD BLOCK on a connection of its own). Why streams and not pub/sub: a
 * subscriber that is disconnected for a moment misses what was published meanwhile,
 * silently; a stream is a log, so a reader resumes where it stopped.
 *
 * - Acknowledged = in Redis: publish() resolves once the XADD returned. While Redis is
 *   away entries wait in memory, in order, within `maxPending`; beyond it publish()
 *   rejects (BusFullError) and the caller tells the sender.
 * - Exactly once, in the sender's order: every entry carries the publisher's run epoch
 *   and a sequence number. A batch whose reply was lost is sent again (it may have been
 *   applied), and readers drop what they have seen (seq <= last seq of that epoch).
 * - Loss is never silent: a sequence number that skips (the stream was trimmed past a
 *   slow reader, or Redis restarted without its data) is reported with onGap, so the
 *   caller can resynchronise that peer's rooms from history.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { connectRedis } from './redis.js';

export interface BusOptions {
  redis: string;
  cluster: string;
  /** this node's id (ClusterNode.id) */
  nodeId: string;
  /** the other nodes to read from, asked before every read (e.g. ClusterNode.liveNodes without self) */
  peers: () => readonly string[] | Promise<readonly string[]>;
  /** an entry from a peer, once, in that peer's order */
  onEntry: (from: string, payload: string) => void;
  /** entries of `from` were lost between `afterSeq` and `seq` (exclusive) */
  onGap?: (from: string, afterSeq: number, seq: number) => void;
  onError?: (err: Error) => void;
  /** entries kept per stream (approximate, MAXLEN ~; default 100,000) */
  maxLen?: number;
  /** entries held in memory while Redis is away (default 10,000) */
  maxPending?: number;
  /** longest one XREAD blocks, ms (default 1000): how soon new peers are picked up */
  blockMs?: number;
}

export class BusFullError extends Error {
  constructor(max: number) {
    super(`cross-node queue is full (${max} entries waiting for Redis)`);
    this.name = 'BusFullError';
  }
}

interface Pending {
  seq: number;
  payload: string;
  resolve: () => void;
  reject: (e: Error) => void;
}

/** entries per XADD pipeline and per XREAD */
const BATCH = 500;

export class StreamBus {
  readonly #opts: BusOptions;
  readonly #pub: Redis;
  readonly #sub: Redis;
  readonly #prefix: string;
  readonly #epoch = randomBytes(6).toString('base64url');
  readonly #maxLen: number;
  readonly #maxPending: number;
  #seq = 0;
  #queue: Pending[] = [];
  #flushing = false;
  #stopped = false;
  #reading: Promise<void> | null = null;
  /** per peer: the last stream id read, and the epoch/seq last delivered */
  readonly #pos = new Map<string, { id: string; epoch: string; seq: number; fromStart: boolean }>();
  #started = false;

  private constructor(opts: BusOptions) {
    this.#opts = opts;
    const onError = (e: Error): void => opts.onError?.(e);
    this.#pub = connectRedis(opts.redis, onError);
    this.#sub = connectRedis(opts.redis, onError);
    this.#prefix = `tincan:{${opts.cluster}}:out:`;
    this.#maxLen = opts.maxLen ?? 100_000;
    this.#maxPending = opts.maxPending ?? 10_000;
    this.#pub.on('ready', () => this.#flush());
  }

  /** Connects, starts a fresh stream for this run, and starts reading the peers. */
  static async start(opts: BusOptions): Promise<StreamBus> {
    const bus = new StreamBus(opts);
    try {
      await Promise.all([bus.#pub.connect(), bus.#sub.connect()]);
      // entries of an earlier run of this node id were for nodes of that time
      await bus.#pub.del(bus.#prefix + opts.nodeId);
      // peers present now: from their current end (what they sent before is history)
      for (const peer of await opts.peers()) bus.#pos.set(peer, { id: await bus.#lastId(peer), epoch: '', seq: 0, fromStart: false });
    } catch (e) {
      bus.#pub.disconnect();
      bus.#sub.disconnect();
      throw e;
    }
    bus.#started = true;
    bus.#reading = bus.#readLoop();
    return bus;
  }

  async #lastId(peer: string): Promise<string> {
    const last = (await this.#pub.xrevrange(this.#prefix + peer, '+', '-', 'COUNT', 1)) as [string, string[]][];
    return last[0]?.[0] ?? '0-0';
  }

  /** Entries waiting for Redis. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Appends `payload` to this node's stream; resolves once Redis has it. */
  publish(payload: string): Promise<void> {
    if (this.#stopped) return Promise.reject(new Error('bus stopped'));
    if (this.#queue.length >= this.#maxPending) return Promise.reject(new BusFullError(this.#maxPending));
    return new Promise((resolve, reject) => {
      this.#queue.push({ seq: ++this.#seq, payload, resolve, reject });
      if (this.#queue.length === 1) queueMicrotask(() => this.#flush());
    });
  }

  /** Sends the queue oldest first, a pipeline of at most BATCH entries at a time. */
  async #flush(): Promise<void> {
    if (this.#flushing || !this.#started) return;
    this.#flushing = true;
    try {
      while (this.#queue.length > 0 && this.#pub.status === 'ready' && !this.#stopped) {
        const batch = this.#queue.slice(0, BATCH);
        const pipe = this.#pub.pipeline();
        const key = this.#prefix + this.#opts.nodeId;
        for (const p of batch) pipe.xadd(key, 'MAXLEN', '~', this.#maxLen, '*', 'e', this.#epoch, 's', String(p.seq), 'p', p.payload);
        let ok = false;
        try {
          const res = await pipe.exec();
          ok = res !== null && res.every(([err]) => err === null);
        } catch {
          ok = false;
        }
        // not known to be applied: kept, sent again when Redis is back (readers drop repeats)
        if (!ok) break;
        this.#queue.splice(0, batch.length);
        for (const p of batch) p.resolve();
      }
    } finally {
      this.#flushing = false;
    }
    // a failure while still connected (e.g. Redis out of memory): try again shortly
    if (this.#queue.length > 0 && this.#pub.status === 'ready' && !this.#stopped) {
      setTimeout(() => void this.#flush(), 200).unref();
    }
  }

  async #readLoop(): Promise<void> {
    const blockMs = this.#opts.blockMs ?? 1000;
    while (!this.#stopped) {
      try {
        const peers = [...new Set(await this.#opts.peers())].filter((p) => p !== this.#opts.nodeId);
        for (const p of peers) if (!this.#pos.has(p)) this.#pos.set(p, { id: '0-0', epoch: '', seq: 0, fromStart: true }); // new since we started: all of it
        for (const p of [...this.#pos.keys()]) if (!peers.includes(p)) this.#pos.delete(p);
        if (peers.length === 0) {
          await new Promise((r) => setTimeout(r, blockMs).unref());
          continue;
        }
        const keys = peers.map((p) => this.#prefix + p);
        const ids = peers.map((p) => this.#pos.get(p)!.id);
        const res = (await this.#sub.xread('COUNT', BATCH, 'BLOCK', blockMs, 'STREAMS', ...keys, ...ids)) as [string, [string, string[]][]][] | null;
        for (const [key, entries] of res ?? []) this.#deliver(key.slice(this.#prefix.length), entries);
      } catch (e) {
        if (this.#stopped) return;
        this.#opts.onError?.(e as Error);
        await this.#untilReady(this.#sub);
      }
    }
  }

  #deliver(peer: string, entries: [string, string[]][]): void {
    const pos = this.#pos.get(peer);
    if (pos === undefined) return;
    for (const [id, fields] of entries) {
      pos.id = id;
      const f = new Map<string, string>();
      for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!, fields[i + 1]!);
      const epoch = f.get('e') ?? '';
      const seq = Number(f.get('s'));
      const payload = f.get('p');
      if (payload === undefined || !Number.isSafeInteger(seq)) continue;
      if (epoch !== pos.epoch) {
        // the first entry we see of this run of that node: it should be its first
        // entry, unless we started reading it mid-stream (it was there when we started)
        if ((pos.epoch !== '' || pos.fromStart) && seq > 1) this.#opts.onGap?.(peer, 0, seq);
        pos.epoch = epoch;
      } else if (seq <= pos.seq) {
        continue; // a resent batch: already delivered
      } else if (seq > pos.seq + 1) {
        this.#opts.onGap?.(peer, pos.seq, seq);
      }
      pos.seq = seq;
      this.#opts.onEntry(peer, payload);
    }
  }

  async #untilReady(r: Redis): Promise<void> {
    if (r.status === 'ready' || this.#stopped) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearInterval(t);
        r.off('ready', done);
        resolve();
      };
      // stop() also ends the wait
      const t = setInterval(() => this.#stopped && done(), 100);
      t.unref();
      r.once('ready', done);
    });
  }

  /** Stops reading and publishing; entries still waiting are rejected. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const p of this.#queue.splice(0)) p.reject(new Error('bus stopped'));
    this.#sub.disconnect();
    await this.#reading?.catch(() => {});
    await this.#pub.quit().catch(() => this.#pub.disconnect());
  }
}
