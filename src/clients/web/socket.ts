/**
 * The browser side of IRC-over-WebSocket: a Transport for ChatClient over the page's
 * own origin (ws:// or wss:// + /irc), subprotocol text.ircv3.net: one line per frame.
 */
import type { Connector } from './client.js';

export function wsUrl(loc: Location): string {
  return (loc.protocol === 'https:' ? 'wss://' : 'ws://') + loc.host + '/irc';
}

export function webSocketConnector(url: string): Connector {
  return (h) => {
    const ws = new WebSocket(url, ['text.ircv3.net']);
    let closed = false;
    const done = (reason: string): void => {
      if (closed) return;
      closed = true;
      h.close(reason);
    };
    ws.onopen = () => h.open();
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data === 'string') h.line(ev.data.replace(/[\r\n]+$/, ''));
    };
    ws.onclose = (ev) => done(ev.reason || (ev.wasClean ? 'Connection closed' : 'Connection lost'));
    ws.onerror = () => done('Connection failed');
    return {
      send(line) {
        if (ws.readyState === WebSocket.OPEN) ws.send(line);
      },
      close() {
        closed = true;
        ws.close(1000);
      },
    };
  };
}
