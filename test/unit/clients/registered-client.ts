/**
 * A shared IrcClient registered on a fake server end, in #a: what it sent, lines to feed
 * it, a clock to move (with node:test's mock timers when enabled), a dropped connection.
 */
import { mock } from 'node:test';
import { IrcClient, type TransportHandlers } from '../../../src/clients/shared/irc-client.js';

export function registeredClient(caps: string, isupport = 'CHANTYPES=# CASEMAPPING=rfc1459', offered = caps) {
  let now = Date.parse('2026-01-01T10:00:00Z');
  let h!: TransportHandlers;
  const sent: string[] = [];
  const c = new IrcClient({
    nick: 'me',
    serverLabel: 'test:1',
    reconnect: false,
    now: () => new Date(now),
    transport: (x) => {
      h = x;
      return { send: (l) => sent.push(l), close: () => h.onClose() };
    },
  });
  c.connect();
  h.onOpen();
  const recv = (...ls: string[]): void => ls.forEach((l) => h.onLine(l));
  recv(`:srv CAP * LS :${offered}`, `:srv CAP me ACK :${caps.replace(/=\S*/g, '')}`, ':srv 001 me :Welcome', `:srv 005 me ${isupport} :are supported`);
  recv(':me!u@h JOIN #a');
  sent.length = 0;
  return {
    c,
    sent,
    recv,
    /** moves the client's clock (and the mocked timers: enable them first) */
    advance: (ms: number) => {
      now += ms;
      mock.timers.tick(ms);
    },
    drop: () => h.onClose(new Error('reset')),
  };
}
