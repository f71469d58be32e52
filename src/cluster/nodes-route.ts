/**
 * GET /nodes.json on the web side of the port: where clients may connect for this
 * server, so the terminal and browser clients can fail over when their node dies
 * (src/clients/shared/failover.ts). One node alone lists itself; a cluster lists what
 * the registry last read (registry.ts). Answered from memory, never waiting on Redis;
 * at most MAX_NODES entries; addresses and node ids only (no secrets, nothing per user).
 *
 *   {"cluster":"school","nodes":[{"id":"a","addresses":["10.0.0.5:4444"]}, ...]}
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpRoutes } from '../transports/web-server.js';
import type { NodeEntry } from './registry.js';

export const NODES_PATH = '/nodes.json';

export interface NodesView {
  cluster: string | null;
  nodes: readonly NodeEntry[];
}

export function nodesRoute(view: () => NodesView): HttpRoutes {
  return {
    handle(req: IncomingMessage, res: ServerResponse): boolean {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== NODES_PATH) return false;
      const method = req.method ?? 'GET';
      if (method !== 'GET' && method !== 'HEAD') {
        res.writeHead(405, { 'Content-Type': 'text/plain; charset=utf-8', Allow: 'GET, HEAD' });
        res.end('GET only\n');
        return true;
      }
      const v = view();
      const body = Buffer.from(JSON.stringify({ cluster: v.cluster, nodes: v.nodes.map((n) => ({ id: n.id, addresses: n.addresses })) }) + '\n');
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length, 'Cache-Control': 'no-store' });
      res.end(method === 'HEAD' ? undefined : body);
      return true;
    },
  };
}

/** Asks `routes` in turn; the first that answers wins. */
export function chainRoutes(...routes: readonly (HttpRoutes | null | undefined)[]): HttpRoutes {
  const list = routes.filter((r): r is HttpRoutes => r !== null && r !== undefined);
  return { handle: (req, res, ctl) => list.some((r) => r.handle(req, res, ctl)) };
}
