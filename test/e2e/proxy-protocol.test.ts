/** PROXY protocol on a real socket: a trusted loopback proxy's header gives the client's address. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { IrcServer } from '../../src/core/server.js';
import { startTcpListener } from '../../src/transports/tcp.js';
import { makeConfig } from '../helpers/harness.js';
import { RawClient } from '../helpers/raw-client.js';
import { notLocalMessage } from '../../src/transports/tcp.js';
import { untrustedProxyMessage } from '../../src/transports/proxy-protocol.js';

async function start(overrides: Record<string, unknown>): Promise<{ port: number; stop: () => Promise<void> }> {
  const logger = pino({ level: 'silent' });
  const server = new IrcServer(makeConfig(overrides), logger, { tickMs: 200 });
  const listener = await startTcpListener({ host: '127.0.0.1', port: 0, config: () => server.config, logger, onConnection: (c) => server.accept(c), detect: {} });
  return {
    port: listener.address().port,
    async stop() {
      await server.shutdown('bye');
      await listener.close();
    },
  };
}

test('a v1 header from a trusted loopback proxy: the client address is the session host and meets the peer policy', async () => {
  const srv = await start({ connections: { enabled: true, trustedProxies: ['127.0.0.1/32'] }, allow: ['203.0.113.0/24'] });
  try {
    const c = await RawClient.connect(srv.port);
    c.socket.write('PROXY TCP4 203.0.113.9 127.0.0.1 51234 6667\r\nNICK alice\r\nUSER alice 0 * :Alice\r\n');
    await c.waitFor(/ 001 alice /);
    c.send('WHOIS alice');
    assert.match(await c.waitFor(/ 311 /), /^:test\.server 311 alice alice ~alice 203\.0\.113\.9 \* :Alice$/);
    c.socket.destroy();

    // the real address is what the peer policy judges: a public one is refused
    const d = await RawClient.connect(srv.port);
    d.socket.write('PROXY TCP4 198.51.100.7 127.0.0.1 4000 6667\r\nNICK bob\r\n');
    assert.equal(await d.waitFor(/^ERROR/), notLocalMessage('198.51.100.7'));
    await d.closed;
  } finally {
    await srv.stop();
  }
});

test('a PROXY header from an address not in connections.trustedProxies is refused with a clear line', async () => {
  const srv = await start({});
  try {
    const c = await RawClient.connect(srv.port);
    c.socket.write('PROXY TCP4 203.0.113.9 127.0.0.1 51234 6667\r\nNICK alice\r\n');
    assert.equal(await c.waitFor(/^ERROR/), untrustedProxyMessage('127.0.0.1'));
    await c.closed;
  } finally {
    await srv.stop();
  }
});
