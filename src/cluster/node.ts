/**
 * One tincan node's place in a cluster (docs/scale-out.md), on Redis (ioredis): its
 * identity, its lease, and the nicks it has claimed for its sessions: the namespace
 * brick core-link.ts stands on.
 *
 * Lease: `lease:<node>` holds a random epoch with a PX TTL, renewed by a timer (every
 * third of the TTL). A claim records the claimant's node AND epoch, and is valid only
 * while that exact lease exists: a node that dies (kill -9, a cut cable) loses every
 * claim when its TTL runs out, without anyone having to delete them one by one; a node
 * that was paused past its TTL finds its lease gone (or another epoch) on the next
 * renewal and is told (`onLeaseLost`): its old claims are void and it must claim again.
 *
 * Claims are Lua scripts, so check and write are one atomic step inside Redis (never
 * read-then-write from the node): of any number of concurrent claims of one nick, from
 * any number of nodes, exactly one wins. A dead node's leftover claim keys are taken
 * over by the next claim and removed in bounded batches by `sweep()`.
 *
 * Keys share the hash tag {cluster}; the scripts also read lease keys they compute, so
 * this needs one Redis (or a Sentinel-managed primary), not Redis Cluster.
 *
 * Bounds: those of ./redis.ts (nothing queued while Redis is away).
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { connectRedis } from './redis.js';

export interface ClusterNodeOptions {
  /** redis://host:port/db */
  redis: string;
  /** the cluster's name: nodes with the same name on the same Redis are one server */
  cluster: string;
  /** default: random; letters, digits, '.', '_', '-' */
  nodeId?: string;
  /** lease TTL, ms (default 10 s): a dead node's claims last at most this long */
  leaseMs?: number;
  /** the lease was found gone or taken over: every claim of this node is void */
  onLeaseLost?: () => void;
  /** Redis connection errors (default: ignored; the client reconnects by itself) */
  onError?: (err: Error) => void;
}

/** Who holds a nick. */
export interface Claim {
  node: string;
  session: string;
}

/** Dead-node claims removed per sweep step (a step is one script run: it must stay short). */
const SWEEP_BATCH = 500;
const ID = /^[A-Za-z0-9._-]{1,64}$/;

// KEYS: nick key, my lease, my claims set. ARGV: value, my epoch, folded nick, lease key prefix.
// 1 = mine now, 0 = held by another live claim, -1 = my own lease is gone.
const CLAIM = `
if redis.call('GET', KEYS[2]) ~= ARGV[2] then return -1 end
local cur = redis.call('GET', KEYS[1])
if cur then
  if cur == ARGV[1] then return 1 end
  local node, epoch = string.match(cur, '^([^|]*)|([^|]*)|')
  if node and redis.call('GET', ARGV[4] .. node) == epoch then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[3])
return 1`;

// KEYS: nick key, my claims set. ARGV: value, folded nick. Deletes only my own claim.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('SREM', KEYS[2], ARGV[2])
  return 1
end
return 0`;

// KEYS: nick key. ARGV: lease key prefix. The claim's value when its lease is alive, else nil.
const OWNER = `
local cur = redis.call('GET', KEYS[1])
if not cur then return false end
local node, epoch = string.match(cur, '^([^|]*)|([^|]*)|')
if node and redis.call('GET', ARGV[1] .. node) == epoch then return cur end
return false`;

// KEYS: my lease. ARGV: epoch, ttl ms. 1 = renewed, 0 = gone or another epoch.
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

// KEYS: nodes zset. ARGV: lease prefix, claims prefix, nick prefix, batch, only-this-node ('' = every dead one).
// Removes up to `batch` claims of nodes without a lease (or of the given node); returns
// {claims removed, nodes forgotten, more left}.
const SWEEP = `
local removed, forgotten, more = 0, 0, 0
local budget = tonumber(ARGV[4])
local nodes
if ARGV[5] ~= '' then nodes = { ARGV[5] } else nodes = redis.call('ZRANGE', KEYS[1], 0, -1) end
for _, node in ipairs(nodes) do
  if budget <= 0 then more = 1 break end
  if ARGV[5] ~= '' or redis.call('EXISTS', ARGV[1] .. node) == 0 then
    local set = ARGV[2] .. node
    local nicks = redis.call('SPOP', set, budget)
    for _, folded in ipairs(nicks) do
      local key = ARGV[3] .. folded
      local cur = redis.call('GET', key)
      if cur and string.sub(cur, 1, #node + 1) == node .. '|' then
        redis.call('DEL', key)
        removed = removed + 1
      end
    end
    budget = budget - #nicks
    if redis.call('SCARD', set) == 0 then
      redis.call('ZREM', KEYS[1], node)
      forgotten = forgotten + 1
    else
      more = 1
    end
  end
end
return { removed, forgotten, more }`;

interface Scripts {
  tcClaim(nick: string, lease: string, claims: string, value: string, epoch: string, folded: string, leasePrefix: string): Promise<number>;
  tcRelease(nick: string, claims: string, value: string, folded: string): Promise<number>;
  tcOwner(nick: string, leasePrefix: string): Promise<string | null>;
  tcRenew(lease: string, epoch: string, ttl: number): Promise<number>;
  tcSweep(nodes: string, leasePrefix: string, claimsPrefix: string, nickPrefix: string, batch: number, only: string): Promise<[number, number, number]>;
}

type ScriptedRedis = Redis & Scripts;

export class ClusterNode {
  readonly id: string;
  /** this lease's random token: claims made under an older epoch are void */
  epoch: string;
  readonly cluster: string;
  readonly leaseMs: number;
  readonly redis: ScriptedRedis;
  readonly #prefix: string;
  readonly #onLeaseLost: (() => void) | undefined;
  #timer: NodeJS.Timeout | null = null;
  /** when the lease was last confirmed (Date.now()) */
  #renewedAt = 0;
  #lost = false;
  #stopped = false;

  private constructor(opts: ClusterNodeOptions, redis: ScriptedRedis) {
    this.cluster = opts.cluster;
    this.id = opts.nodeId ?? `${process.pid}-${randomBytes(6).toString('hex')}`;
    if (!ID.test(this.id)) throw new Error(`cluster node id ${JSON.stringify(this.id)}: expected 1 to 64 letters, digits, '.', '_' or '-'`);
    this.epoch = randomBytes(9).toString('base64url');
    this.leaseMs = opts.leaseMs ?? 10_000;
    this.redis = redis;
    // the hash tag keeps every key of one cluster in one slot
    this.#prefix = `tincan:{${opts.cluster}}:`;
    this.#onLeaseLost = opts.onLeaseLost;
  }

  /** Connects, takes the lease, and starts renewing it. */
  static async start(opts: ClusterNodeOptions): Promise<ClusterNode> {
    const redis = connectRedis(opts.redis, (err) => opts.onError?.(err)) as ScriptedRedis;
    redis.defineCommand('tcClaim', { numberOfKeys: 3, lua: CLAIM });
    redis.defineCommand('tcRelease', { numberOfKeys: 2, lua: RELEASE });
    redis.defineCommand('tcOwner', { numberOfKeys: 1, lua: OWNER });
    redis.defineCommand('tcRenew', { numberOfKeys: 1, lua: RENEW });
    redis.defineCommand('tcSweep', { numberOfKeys: 1, lua: SWEEP });
    const node = new ClusterNode(opts, redis);
    try {
      await redis.connect();
      await node.#takeLease();
    } catch (e) {
      redis.disconnect();
      throw e;
    }
    node.#schedule();
    return node;
  }

  #key(kind: string, name: string): string {
    return `${this.#prefix}${kind}:${name}`;
  }

  /** Takes the lease under `epoch` (this.epoch becomes it only once Redis said yes). */
  async #takeLease(epoch = this.epoch): Promise<void> {
    const ok = await this.redis.set(this.#key('lease', this.id), epoch, 'PX', this.leaseMs, 'NX');
    if (ok !== 'OK') throw new Error(`cluster node id ${this.id} is already in use in cluster ${this.cluster}`);
    this.epoch = epoch;
    await this.redis.zadd(this.#prefix + 'nodes', Date.now(), this.id);
    this.#renewedAt = Date.now();
    this.#lost = false;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#renew(), Math.max(10, Math.floor(this.leaseMs / 3)));
    this.#timer.unref();
  }

  async #renew(): Promise<void> {
    this.#timer = null;
    const epoch = this.epoch;
    try {
      const ok = await this.redis.tcRenew(this.#key('lease', this.id), epoch, this.leaseMs);
      // (a rejoin meanwhile took a new epoch: this answer was about the old one)
      if (epoch === this.epoch) {
        if (ok === 1) this.#renewedAt = Date.now();
        else this.#leaseLost();
      }
    } catch {
      // Redis unreachable: the lease may run out meanwhile; past its TTL it is lost
      if (Date.now() - this.#renewedAt >= this.leaseMs) this.#leaseLost();
    }
    this.#schedule();
  }

  #leaseLost(): void {
    if (this.#lost || this.#stopped) return;
    this.#lost = true;
    this.#onLeaseLost?.();
  }

  /** True while the lease is known to be held (renewed within its TTL). */
  get leaseHeld(): boolean {
    return !this.#lost && !this.#stopped && Date.now() - this.#renewedAt < this.leaseMs;
  }

  /**
   * After a lost lease: a new epoch and a new lease, so the node can claim again (its
   * old claims stay void: others may hold those nicks now).
   */
  async rejoin(): Promise<void> {
    await this.#takeLease(randomBytes(9).toString('base64url'));
  }

  #value(session: string): string {
    if (session.includes('|')) throw new Error('session id must not contain |');
    return `${this.id}|${this.epoch}|${session}`;
  }

  /**
   * Claims `folded` (a casefolded nick) for `session`, atomically across the cluster.
   * True when it is now this session's (also when it already was); false when another
   * live claim holds it, or this node's lease is gone (onLeaseLost says which).
   */
  async claimNick(folded: string, session: string): Promise<boolean> {
    const epoch = this.epoch;
    const r = await this.redis.tcClaim(
      this.#key('nick', folded),
      this.#key('lease', this.id),
      this.#key('claims', this.id),
      this.#value(session),
      epoch,
      folded,
      this.#prefix + 'lease:',
    );
    if (r === -1 && epoch === this.epoch) this.#leaseLost();
    return r === 1;
  }

  /** Releases `session`'s claim of `folded` (a quit, a nick change); false when it held none. */
  async releaseNick(folded: string, session: string): Promise<boolean> {
    return (await this.redis.tcRelease(this.#key('nick', folded), this.#key('claims', this.id), this.#value(session), folded)) === 1;
  }

  /** Who holds `folded` now (a claim whose node's lease is alive), or null. */
  async ownerOf(folded: string): Promise<Claim | null> {
    const v = await this.redis.tcOwner(this.#key('nick', folded), this.#prefix + 'lease:');
    if (v === null) return null;
    const [node, , session] = v.split('|');
    return { node: node!, session: session ?? '' };
  }

  /** Nodes registered in the cluster whose lease is alive. */
  async liveNodes(): Promise<string[]> {
    const ids = await this.redis.zrange(this.#prefix + 'nodes', '0', '-1');
    if (ids.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.exists(this.#key('lease', id));
    const res = (await pipe.exec()) ?? [];
    return ids.filter((_, i) => res[i]?.[1] === 1);
  }

  /**
   * Removes the leftover claims of nodes whose lease ran out, in script runs of at most
   * SWEEP_BATCH claims (Redis runs one script at a time: each must stay short). Returns
   * how many claims and nodes went.
   */
  async sweep(): Promise<{ claims: number; nodes: number }> {
    return this.#sweep('');
  }

  async #sweep(only: string): Promise<{ claims: number; nodes: number }> {
    let claims = 0;
    let nodes = 0;
    for (;;) {
      const [c, n, more] = await this.redis.tcSweep(this.#prefix + 'nodes', this.#prefix + 'lease:', this.#prefix + 'claims:', this.#prefix + 'nick:', SWEEP_BATCH, only);
      claims += c;
      nodes += n;
      if (more === 0) return { claims, nodes };
    }
  }

  /** Leaves the cluster: stops renewing, releases every claim, drops the lease. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    try {
      await this.redis.del(this.#key('lease', this.id));
      await this.#sweep(this.id);
      await this.redis.quit();
    } catch {
      // Redis away: the lease runs out by itself, and the claims with it
      this.redis.disconnect();
    }
  }
}
