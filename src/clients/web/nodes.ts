/**
 * The browser's side of failover (src/clients/shared/failover.ts): the page's own node
 * first, then the nodes its server lists at /nodes.json (asked again on every welcome,
 * from the page's origin only: the CSP lets the page fetch from 'self' alone, and the
 * last list read is kept while that node is down). Each node is dialled as
 * ws(s)://host:port/irc; the other nodes accept this page's Origin because it is one
 * of their cluster's addresses (serve.ts, extraOrigins).
 */
import type { IrcClient } from '../shared/irc-client.js';
import type { TransportFactory } from '../shared/client-types.js';
import { webSocketTransport } from '../shared/browser-transport.js';
import { NodeList, failoverTransport, nodeKey, nodesFromJson } from '../shared/failover.js';

const FETCH_TIMEOUT_MS = 5000;

export interface PageNodes {
  readonly transport: TransportFactory;
  /** follows the client: learns the node list once it is in */
  attach(c: IrcClient): void;
}

export function pageNodes(loc: { protocol: string; hostname: string; port: string }): PageNodes {
  const secure = loc.protocol === 'https:';
  const host = loc.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(loc.port) || (secure ? 443 : 80);
  const nodes = new NodeList([{ host, port }]);
  let client: IrcClient | null = null;
  const fo = failoverTransport(
    nodes,
    (n) => webSocketTransport(`${secure ? 'wss' : 'ws'}://${nodeKey(n)}/irc`),
    (text) => client?.info(client.server, text),
  );
  const learn = async (): Promise<void> => {
    const ctl = new AbortController();
    const t = setTimeout(() => ctl.abort(), FETCH_TIMEOUT_MS);
    try {
      const res = await fetch('/nodes.json', { signal: ctl.signal });
      if (!res.ok) return;
      const list = nodesFromJson(await res.json());
      if (list.length > 0) nodes.learn(list);
    } catch {
      // the page's node is down: keep the list we have
    } finally {
      clearTimeout(t);
    }
  };
  return {
    transport: fo.transport,
    attach(c) {
      client = c;
      c.on('state', (s) => {
        if (s !== 'connected') return;
        fo.registered();
        void learn();
      });
    },
  };
}
