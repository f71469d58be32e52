/**
 * Where a cluster's nodes can be dialled (docs/scale-out.md, "Which nodes are there"):
 * each node publishes the addresses clients should use for it (`advertise`, host:port)
 * in Redis, with a TTL it renews while it runs, so a node killed with `kill -9` drops out
 * of the list within `ttlMs` without anyone removing it. Clients learn the list from
 * GET /nodes.json (nodes-route.ts) and fail over to another node when theirs dies.
 *
 * Keys (own, beside ClusterNode's): `tincan:{cluster}:addr:<node>` holds the node's entry
 * (JSON) with a PX TTL; `tincan:{cluster}:addrs` is a sorted set of node ids scored by
 * expiry, in Redis's own clock (TIME inside the scripts: node clocks may disagree), so
 * a listing is one bounded ZRANGE instead of a SCAN over the keyspace.
 *
 * The list is read on the renewal timer and kept: serving /nodes.json never waits for
 * Redis, and a flood of requests costs Redis nothing. Bounds: MAX_NODES entries listed,
 * MAX_ADDRESSES addresses (address.ts) per entry (checked on write and read).
 */
import type { Redis } from 'ioredis';
import { connectRedis } from './redis.js';
import { MAX_ADDRESSES, validAddress } from './address.js';

export { MAX_ADDRESSES };

export const MAX_NODES = 64;

/** addresses remembered for the Origin check */
const MAX_KNOWN = 1024;
const ID = /^[A-Za-z0-9._-]{1,64}$/;

/** One node as clients see it. */
export interface NodeEntry {
  id: string;
  /** host:port ([v6]:port), as clients should dial them */
  addresses: string[];
}

export interface NodeRegistryOptions {
  redis: string;
  cluster: string;
  nodeId: string;
  addresses: readonly string[];
  /** entry TTL, ms (default 10 s): a dead node stays listed at most this long */
  ttlMs?: number;
  onError?: (err: Error) => void;
}

// KEYS: set, entry. ARGV: value, ttl, id.
const PUBLISH = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
return 1`;

// KEYS: set. ARGV: entry prefix, max. Drops expired ids, returns the live entries.
const LIST = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)
local out = {}
for _, id in ipairs(ids) do
  local v = redis.call('GET', ARGV[1] .. id)
  if v then out[#out + 1] = v end
end
return out`;

interface RegistryRedis extends Redis {
  tcAddrPublish(set: string, entry: string, value: string, ttl: number, id: string): Promise<number>;
  tcAddrList(set: string, prefix: string, max: number): Promise<string[]>;
}

/** A stored entry, or null when it is not one (another version, a damaged key). */
export function parseEntry(s: string): NodeEntry | null {
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const { id, addresses } = v as { id?: unknown; addresses?: unknown };
  if (typeof id !== 'string' || !ID.test(id) || !Array.isArray(addresses)) return null;
  const addrs = addresses.filter((a): a is string => typeof a === 'string' && validAddress(a)).slice(0, MAX_ADDRESSES);
  return addrs.length === 0 ? null : { id, addresses: addrs };
}

export class NodeRegistry {
  readonly id: string;
  readonly cluster: string;
  readonly ttlMs: number;
  readonly addresses: readonly string[];
  readonly #redis: RegistryRedis;
  readonly #prefix: string;
  #nodes: NodeEntry[];
  /** every address listed during this run, oldest first, at most MAX_KNOWN: the Origin check */
  readonly #known = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;

  private constructor(opts: NodeRegistryOptions, redis: RegistryRedis) {
    this.id = opts.nodeId;
    this.cluster = opts.cluster;
    this.ttlMs = opts.ttlMs ?? 10_000;
    this.addresses = opts.addresses;
    this.#redis = redis;
    this.#prefix = `tincan:{${opts.cluster}}:`;
    this.#nodes = [{ id: this.id, addresses: [...opts.addresses] }];
  }

  /** Connects, publishes this node, reads the list, and keeps both fresh. */
  static async start(opts: NodeRegistryOptions): Promise<NodeRegistry> {
    if (!ID.test(opts.nodeId)) throw new Error(`node id '${opts.nodeId}': expected 1 to 64 letters, digits, '.', '_' or '-'`);
    const bad = opts.addresses.find((a) => !validAddress(a));
    if (bad !== undefined) throw new Error(`advertised address '${bad}': expected host:port`);
    if (opts.addresses.length === 0 || opts.addresses.length > MAX_ADDRESSES) throw new Error(`expected 1 to ${MAX_ADDRESSES} advertised addresses, found ${opts.addresses.length}`);
    const redis = connectRedis(opts.redis, opts.onError ?? (() => {})) as RegistryRedis;
    redis.defineCommand('tcAddrPublish', { numberOfKeys: 2, lua: PUBLISH });
    redis.defineCommand('tcAddrList', { numberOfKeys: 1, lua: LIST });
    const reg = new NodeRegistry(opts, redis);
    try {
      await redis.connect();
      await reg.#refresh();
    } catch (e) {
      redis.disconnect();
      throw e;
    }
    reg.#schedule();
    return reg;
  }

  /** The nodes last read (this one included, even while Redis is away), at most MAX_NODES. */
  get nodes(): readonly NodeEntry[] {
    return this.#nodes;
  }

  /** Publishes this node and reads the list now (the timer does it every third of the TTL). */
  async refresh(): Promise<void> {
    await this.#refresh();
  }

  async #refresh(): Promise<void> {
    const value = JSON.stringify({ id: this.id, addresses: this.addresses });
    await this.#redis.tcAddrPublish(this.#prefix + 'addrs', this.#prefix + 'addr:' + this.id, value, this.ttlMs, this.id);
    const raw = await this.#redis.tcAddrList(this.#prefix + 'addrs', this.#prefix + 'addr:', MAX_NODES);
    const list = raw.map(parseEntry).filter((e): e is NodeEntry => e !== null);
    if (!list.some((e) => e.id === this.id)) list.unshift({ id: this.id, addresses: [...this.addresses] });
    this.#nodes = list.slice(0, MAX_NODES);
    for (const n of this.#nodes) {
      for (const a of n.addresses) {
        this.#known.delete(a);
        this.#known.add(a);
      }
    }
    for (const a of this.#known) {
      if (this.#known.size <= MAX_KNOWN) break;
      this.#known.delete(a);
    }
  }

  /**
   * Every address listed during this run (bounded, the most recently listed kept): a page
   * served by a node that has since died is still this server's page, and must be let in
   * when it fails over here (the WebSocket Origin check, serve.ts).
   */
  get known(): Iterable<string> {
    return this.#known;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      // Redis away: keep the last list (clients still get somewhere to go) and try again
      this.#refresh().then(
        () => this.#schedule(),
        () => this.#schedule(),
      );
    }, Math.max(10, Math.floor(this.ttlMs / 3)));
    this.#timer.unref();
  }

  /** Removes this node from the list at once and disconnects. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    try {
      await this.#redis.multi().del(this.#prefix + 'addr:' + this.id).zrem(this.#prefix + 'addrs', this.id).exec();
    } catch {
      // Redis away: the entry expires with its TTL
    }
    this.#redis.disconnect();
  }
}
