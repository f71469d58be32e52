/**
 * Issue 11's one-line crash, over a real socket: with labeled-response negotiated,
 * `@label=x CHATHISTORY LATEST * * 10` (or a nick for the first `*`) used to throw in
 * the labeled-response flush and end the process. Now: exactly one labeled reply, and
 * the server (and a bystander) carry on. Over IRC and over WebSocket.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { IrcServer } from '../../src/core/server.js';
import { History } from '../../src/core/history.js';
import { MemoryStorage } from '../../src/storage/memory/memory-storage.js';
import { startTcpListener, type TcpListener } from '../../src/transports/tcp.js';
import { makeConfig } from '../helpers/harness.js';
import WebSocket from 'ws';
import { RawClient } from '../helpers/raw-client.js';
import { startWebTincan } from './web-harness.js';

const esc = (t: string): string => t.replace(/[*]/g, '\\*');

let server: IrcServer;
let listener: TcpListener;
let port: number;
let bystander: RawClient;
let friend: RawClient;

before(async () => {
  const logger = pino({ level: 'silent' });
  const config = makeConfig({ storage: 'memory' });
  server = new IrcServer(config, logger, { tickMs: 200, history: new History({ storage: new MemoryStorage(), logger }) });
  listener = await startTcpListener({ host: '127.0.0.1', port: 0, config: () => server.config, logger, onConnection: (c) => server.accept(c) });
  port = listener.address().port;
  bystander = await RawClient.connect(port);
  await bystander.register('bystander');
  friend = await RawClient.connect(port);
  await friend.register('friend');
  bystander.send('JOIN #lobby');
  friend.send('JOIN #lobby');
  await friend.waitFor(/ 366 friend #lobby /);
});

after(async () => {
  bystander.end();
  friend.end();
  await server.shutdown('test over');
  await listener.close();
});

for (const target of ['*', 'somenick']) {
  test(`@label=x CHATHISTORY LATEST ${target} * 10 gets one labeled reply; the server lives on`, async () => {
    const c = await RawClient.connect(port);
    c.send('CAP LS 302');
    c.send('CAP REQ :labeled-response batch draft/chathistory server-time message-tags');
    await c.waitFor(/ CAP \S+ ACK /);
    c.send('CAP END');
    await c.register('asker' + (target === '*' ? '1' : '2'));
    const from = c.lines.length;
    c.send(`@label=x CHATHISTORY LATEST ${target} * 10`);
    c.send('@label=done PING :done');
    await c.waitFor(/label=done/, 5000, from);
    const reply = c.lines.slice(from, c.lines.findIndex((l, i) => i >= from && l.includes('label=done')));
    assert.equal(reply.filter((l) => l.includes('label=')).length, 1, reply.join('\n'));
    assert.match(reply[0]!, /^@label=x :\S+ BATCH \+\S+ labeled-response$/);
    assert.ok(reply.some((l) => new RegExp(` BATCH \\+\\S+ chathistory ${esc(target)}$`).test(l)), reply.join('\n'));
    // the server still serves everyone
    bystander.send(`PRIVMSG #lobby :after ${target}`);
    await friend.next(new RegExp(`PRIVMSG #lobby :after ${esc(target)}$`));
    c.send('PING :still');
    await c.next(/PONG \S+ :?still/);
    c.end();
  });
}

test('the same line over WebSocket (/irc, from any web page) gets one labeled reply', async () => {
  const web = await startWebTincan();
  const ws = new WebSocket(`ws://127.0.0.1:${web.port}/irc`, 'text.ircv3.net');
  const lines: string[] = [];
  ws.on('message', (d) => lines.push((d as Buffer).toString('utf8')));
  ws.on('error', () => {});
  const waitFor = async (re: RegExp): Promise<void> => {
    const end = Date.now() + 5000;
    while (!lines.some((l) => re.test(l))) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${re}; got:\n${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send('CAP LS 302');
    ws.send('CAP REQ :labeled-response batch draft/chathistory');
    ws.send('NICK webby');
    ws.send('USER webby 0 * :webby');
    ws.send('CAP END');
    await waitFor(/ (376|422) /);
    const from = lines.length;
    ws.send('@label=x CHATHISTORY LATEST * * 10');
    ws.send('@label=done PING :done');
    await waitFor(/label=done/);
    const reply = lines.slice(from, lines.findIndex((l) => l.includes('label=done')));
    assert.equal(reply.filter((l) => l.includes('label=')).length, 1, reply.join('\n'));
    assert.match(reply[0]!, /^@label=x :\S+ BATCH \+\S+ labeled-response$/);
    assert.equal(web.server.sessions.size, 1, 'the server is still up with the session in it');
  } finally {
    ws.close();
    await web.stop();
  }
});
