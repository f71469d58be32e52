/**
 * Finds chat servers on the local network by mDNS/DNS-SD: `_tincan._tcp` (tincan's own
 * advertisement; TXT `v` version, `name` server name, `ws` WebSocket path) and
 * `_irc._tcp` (any IRC server that advertises itself). Browses for a fixed time and
 * returns what answered, tincan first. Browse only: advertising lives in advertise.ts.
 */
import { Bonjour, type Service } from 'bonjour-service';
import { isIP } from 'node:net';

export interface FoundServer {
  /** instance name, e.g. "tincan on kitchen-pc" */
  name: string;
  kind: 'tincan' | 'irc';
  /** address to connect to (an IPv4 address when one was announced) */
  host: string;
  port: number;
  /** all announced addresses */
  addresses: string[];
  /** TXT record (v, name, ws for tincan) */
  txt: Record<string, string>;
}

export interface BrowseOptions {
  /** how long to listen for answers (default 1500 ms) */
  timeoutMs?: number;
  /** stop as soon as this many servers answered (default: wait the whole time) */
  stopAfter?: number;
  /** service types to browse (default ['tincan', 'irc']) */
  types?: readonly ('tincan' | 'irc')[];
}

function pickAddress(s: Service): string | null {
  const addrs = (s.addresses ?? []).filter((a) => isIP(a) !== 0);
  const v4 = addrs.find((a) => isIP(a) === 4 && !a.startsWith('169.254.'));
  if (v4) return v4;
  if (s.referer?.address) return s.referer.address;
  const v6 = addrs.find((a) => isIP(a) === 6 && !a.toLowerCase().startsWith('fe80'));
  return v6 ?? s.host ?? null;
}

function txtOf(s: Service): Record<string, string> {
  const out: Record<string, string> = {};
  const t: unknown = s.txt;
  if (t && typeof t === 'object') {
    for (const [k, v] of Object.entries(t as Record<string, unknown>)) {
      out[k] = Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
    }
  }
  return out;
}

/** Listens for advertised servers; never throws (an mDNS failure means none found). */
export function browseServers(opts: BrowseOptions = {}): Promise<FoundServer[]> {
  const timeoutMs = opts.timeoutMs ?? 1500;
  const types = opts.types ?? ['tincan', 'irc'];
  return new Promise((resolve) => {
    const found = new Map<string, FoundServer>();
    let bonjour: Bonjour;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try {
        bonjour.destroy();
      } catch {
        // socket already gone
      }
      // a tincan server that is also announced as _irc._tcp shows once, as tincan
      const list = [...found.values()];
      const tincanAt = new Set(list.filter((f) => f.kind === 'tincan').map((f) => `${f.host}:${f.port}`));
      resolve(list.filter((f) => f.kind === 'tincan' || !tincanAt.has(`${f.host}:${f.port}`)).sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'tincan' ? -1 : 1)));
    };
    const timer = setTimeout(finish, timeoutMs);
    try {
      bonjour = new Bonjour({}, () => finish());
    } catch {
      clearTimeout(timer);
      resolve([]);
      return;
    }
    for (const kind of types) {
      bonjour.find({ type: kind, protocol: 'tcp' }, (s: Service) => {
        const host = pickAddress(s);
        if (!host || !s.port) return;
        const key = `${kind}|${host}|${s.port}`;
        found.set(key, { name: s.name, kind, host, port: s.port, addresses: s.addresses ?? [], txt: txtOf(s) });
        if (opts.stopAfter !== undefined && new Set([...found.values()].map((f) => `${f.host}:${f.port}`)).size >= opts.stopAfter) finish();
      });
    }
  });
}

/** One server as a person picks it: a lone server, or the nodes of one cluster. */
export interface FoundGroup extends FoundServer {
  /** the other nodes of the same cluster (TXT `cluster` equal), [] for a lone server */
  others: FoundServer[];
}

/**
 * Groups the tincan nodes that announce the same cluster (TXT `cluster`, with the same
 * server name) into one entry: the first node found (by name) stands for the server,
 * the others are its other addresses. Everything else stays as it is, in order.
 */
export function groupServers(found: readonly FoundServer[]): FoundGroup[] {
  const out: FoundGroup[] = [];
  const byCluster = new Map<string, FoundGroup>();
  for (const f of found) {
    const c = f.kind === 'tincan' ? f.txt['cluster'] : undefined;
    if (c === undefined || c === '') {
      out.push({ ...f, others: [] });
      continue;
    }
    const key = `${c}\u0000${f.txt['name'] ?? ''}`;
    const g = byCluster.get(key);
    if (g !== undefined) {
      if (g.others.length < 15) g.others.push(f);
      continue;
    }
    const first: FoundGroup = { ...f, others: [] };
    byCluster.set(key, first);
    out.push(first);
  }
  return out;
}
