/**
 * One server, several nodes (docs/scale-out.md): the addresses a client may dial for the
 * server it chose, and a transport that moves to the next one when its node dies. No
 * DOM, no node: the terminal client (TCP) and the browser (WebSocket) both use it.
 *
 * The rule: a session that was lost is retried on the same node once (a network blip,
 * a restart); an attempt that does not get in (refused, timed out, closed before the
 * welcome) moves to the next node, round robin. The delays between attempts stay the
 * connection's own (connection.ts: capped exponential backoff with jitter, reset on
 * welcome), so a whole cluster down costs no more than one server down.
 *
 * The list: the addresses the user gave (or mDNS found) are kept; what the server says
 * (/nodes.json, learn()) is added, shuffled so the users of a dead node spread over
 * the survivors instead of all landing on the same one; at most MAX_KNOWN_NODES.
 */
import type { TransportFactory } from './client-types.js';
import { parseHostPort } from '../../cluster/address.js';

export interface NodeAddress {
  host: string;
  port: number;
  /** the TLS fingerprint this node announced (mDNS TXT fp), when known */
  fingerprint?: string;
}

/** Addresses one client remembers for a server. */
export const MAX_KNOWN_NODES = 16;

export function nodeKey(n: { host: string; port: number }): string {
  return n.host.includes(':') ? `[${n.host}]:${n.port}` : `${n.host}:${n.port}`;
}

/** The addresses in a /nodes.json body (bounded; anything malformed skipped). */
export function nodesFromJson(body: unknown): NodeAddress[] {
  const nodes = (body as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) return [];
  const out: NodeAddress[] = [];
  for (const n of nodes.slice(0, MAX_KNOWN_NODES * 4)) {
    const addrs = (n as { addresses?: unknown } | null)?.addresses;
    if (!Array.isArray(addrs)) continue;
    for (const a of addrs.slice(0, 8)) {
      const p = typeof a === 'string' ? parseHostPort(a) : null;
      if (p !== null) out.push(p);
    }
  }
  return out;
}

export class NodeList {
  readonly #seeds: NodeAddress[];
  #list: NodeAddress[];
  #i = 0;
  readonly #random: () => number;

  constructor(seeds: readonly NodeAddress[], random: () => number = Math.random) {
    if (seeds.length === 0) throw new Error('NodeList: at least one address');
    this.#seeds = dedupe(seeds).slice(0, MAX_KNOWN_NODES);
    this.#list = [...this.#seeds];
    this.#random = random;
  }

  get current(): NodeAddress {
    return this.#list[this.#i]!;
  }

  get all(): readonly NodeAddress[] {
    return this.#list;
  }

  /** Moves to the next node (round robin); returns it. */
  advance(): NodeAddress {
    this.#i = (this.#i + 1) % this.#list.length;
    return this.current;
  }

  /**
   * What the server says its nodes are: the current one stays current, the others are
   * the given ones and the seeds, shuffled, at most MAX_KNOWN_NODES in all.
   */
  learn(addresses: readonly NodeAddress[]): void {
    const cur = this.current;
    const key = nodeKey(cur);
    // a seed first: what the user gave (or mDNS announced) keeps its fingerprint
    const others = dedupe([...this.#seeds, ...addresses]).filter((n) => nodeKey(n) !== key);
    for (let i = others.length - 1; i > 0; i--) {
      const j = Math.floor(this.#random() * (i + 1));
      [others[i], others[j]] = [others[j]!, others[i]!];
    }
    this.#list = [cur, ...others].slice(0, MAX_KNOWN_NODES);
    this.#i = 0;
  }
}

function dedupe(list: readonly NodeAddress[]): NodeAddress[] {
  const seen = new Map<string, NodeAddress>();
  for (const n of list) if (!seen.has(nodeKey(n))) seen.set(nodeKey(n), n);
  return [...seen.values()];
}

export interface Failover {
  readonly transport: TransportFactory;
  /** the session got in (the welcome): call it from the client's 'connected' state */
  registered(): void;
}

/**
 * A transport that dials `nodes.current` through `make` (one factory per address, kept:
 * tcpTransport remembers per address whether it spoke TLS). `notify` is told when it
 * moves on.
 */
export function failoverTransport(nodes: NodeList, make: (n: NodeAddress) => TransportFactory, notify?: (text: string) => void): Failover {
  const factories = new Map<string, TransportFactory>();
  let attempt = 0;
  let registeredIn = -1;
  return {
    registered() {
      registeredIn = attempt;
    },
    transport(h) {
      const mine = ++attempt;
      const node = nodes.current;
      const key = nodeKey(node);
      let f = factories.get(key);
      if (f === undefined) {
        // bounded: only addresses still in the list keep a factory
        const live = new Set(nodes.all.map(nodeKey));
        for (const k of factories.keys()) if (!live.has(k)) factories.delete(k);
        f = make(node);
        factories.set(key, f);
      }
      return f({
        onOpen: () => h.onOpen(),
        onLine: (line) => h.onLine(line),
        onClose: (err) => {
          // a session that got in is retried here once; an attempt that did not get in moves on
          if (registeredIn !== mine && nodes.all.length > 1 && (err as { fatal?: boolean } | undefined)?.fatal !== true && nodeKey(nodes.current) === key) {
            const next = nodes.advance();
            notify?.(`${key} did not let us in; next try: ${nodeKey(next)} (another node of this server)`);
          }
          h.onClose(err);
        },
      });
    },
  };
}
