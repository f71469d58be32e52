/**
 * The browser's transport for the client model: IRC over a WebSocket to the page's own
 * origin (ws:// or wss:// + /irc), subprotocol text.ircv3.net, one line per frame.
 * Browser only (the global WebSocket); node-transport.ts is the TCP one.
 */
import type { TransportFactory } from './irc-client.js';

export function wsUrl(loc: { protocol: string; host: string }): string {
  return (loc.protocol === 'https:' ? 'wss://' : 'ws://') + loc.host + '/irc';
}

export function webSocketTransport(url: string): TransportFactory {
  return (h) => {
    const ws = new WebSocket(url, ['text.ircv3.net']);
    let closed = false;
    const done = (reason: string | undefined): void => {
      if (closed) return;
      closed = true;
      h.onClose(reason === undefined ? undefined : new Error(reason));
    };
    ws.onopen = () => h.onOpen();
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data === 'string') h.onLine(ev.data.replace(/[\r\n]+$/, ''));
    };
    ws.onclose = (ev) => done(ev.reason || (ev.wasClean ? undefined : 'connection lost'));
    ws.onerror = () => done('connection failed');
    return {
      send(line) {
        if (ws.readyState === WebSocket.OPEN) ws.send(line);
      },
      close() {
        // the model is told (once), as a TCP close would tell it
        ws.close(1000);
        queueMicrotask(() => done(undefined));
      },
    };
  };
}
