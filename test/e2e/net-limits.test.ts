/**
 * Network limits over real sockets: silent listeners bounded per address and expired,
 * refused browsers answered with a readable HTTP page, and (in network namespaces this
 * test creates) IPv6 peers grouped by /64 and on-link public subnets treated as local.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { afterEach, describe, it } from 'node:test';
import pino from 'pino';
import { IrcServer } from '../../src/core/server.js';
import { startTcpListener } from '../../src/transports/tcp.js';
import { makeConfig } from '../helpers/harness.js';
import { netnsUnavailable } from '../helpers/netns.js';
import { RawClient } from '../helpers/raw-client.js';

const T = { timeout: 15_000 };
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function start(overrides: Record<string, unknown>, host = '127.0.0.1'): Promise<number> {
  const config = makeConfig(overrides);
  const logger = pino({ level: process.env['TINCAN_TEST_LOG'] ?? 'silent' });
  const server = new IrcServer(config, logger, { tickMs: 200 });
  const listener = await startTcpListener({ host, port: 0, config: () => server.config, logger, onConnection: (c) => server.accept(c), detect: {} });
  cleanups.push(async () => {
    await server.shutdown('bye');
    await listener.close();
  });
  return listener.address().port;
}

async function client(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  cleanups.push(() => void c.socket.destroy());
  return c;
}

const LIMITS = { enabled: true, perIp: 100, ratePerMinute: 1000, maxClients: 1000 };

describe('silent listeners', () => {
  it('are bounded per address; one that speaks no longer counts', T, async () => {
    const port = await start({ connections: { ...LIMITS, silentPerIp: 2 } });
    const a = await client(port);
    const b = await client(port);
    await a.waitFor(/^\* Welcome to tincan/);
    await b.waitFor(/^\* Welcome to tincan/);
    const c = await client(port);
    await c.waitFor(/already open without typing anything/);
    await c.closed;
    a.send('/help'); // a is a person now, not a silent listener
    await a.waitFor(/^\* How to talk here/);
    const d = await client(port);
    await d.waitFor(/^\* Welcome to tincan/);
  });

  it('that never send a byte are closed after timeouts.silentIdle, with a goodbye line', T, async () => {
    const port = await start({ timeouts: { silentIdle: 1.5 } });
    const quiet = await client(port);
    const talker = await client(port);
    talker.send('/help');
    await talker.waitFor(/^\* How to talk here/);
    await quiet.waitFor(/without sending anything, so it is being closed/, 8000);
    await quiet.closed;
    // the one that spoke stays
    const n = talker.lines.length;
    talker.send('/nick talker2');
    await talker.waitFor(/talker2/, 5000, n);
    assert.equal(talker.socket.destroyed, false);
  });
});

describe('refused connections', () => {
  it('a refused browser gets a readable HTTP page, an IRC client its ERROR line', T, async () => {
    const port = await start({ connections: { ...LIMITS, perIp: 1 } });
    const first = await client(port);
    first.send('NICK first');
    const res = await fetch(`http://127.0.0.1:${port}/`).catch((e: Error) => e);
    assert.ok(!(res instanceof Error), String(res));
    assert.equal(res.status, 429);
    assert.match(await res.text(), /Too many connections from your address.*Close some tabs/s);
    const irc = await client(port);
    irc.send('NICK second');
    await irc.waitFor(/^ERROR :Closing link: 127\.0\.0\.1 \(Too many connections/);
  });
});
