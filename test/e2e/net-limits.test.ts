/**
 * Network limits over real sockets: silent listeners bounded per address and expired,
 * refused browsers answered with a readable HTTP page, and (in network namespaces this
 * test creates) IPv6 peers grouped by /64 and on-link public subnets treated as local.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { afterEach, describe, it } from 'node:test';
import pino from 'pino';
import { IrcServer } from '../../src/core/server.js';
import { startTcpListener } from '../../src/transports/tcp.js';
import { makeConfig } from '../helpers/harness.js';
import { netnsUnavailable } from '../helpers/netns.js';
import { RawClient } from '../helpers/raw-client.js';
import { closedBy, closingLine } from '../helpers/codes.js';
import { plainDialect } from '../../src/gateway.js';

const T = { timeout: 15_000 };
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function start(overrides: Record<string, unknown>, host = '127.0.0.1'): Promise<number> {
  const config = makeConfig(overrides);
  const logger = pino({ level: process.env['TINCAN_TEST_LOG'] ?? 'silent' });
  const server = new IrcServer(config, logger, { tickMs: 200 });
  const listener = await startTcpListener({ host, port: 0, config: () => server.config, logger, onConnection: (c) => server.accept(c), detect: { plain: plainDialect(() => server.config) } });
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
    await irc.waitFor(closedBy('TINCAN_ERR_TOO_MANY'));
  });
});

/** Runs in the namespace: one IRC connection per local address, in order; prints each one's first line. */
const CLIENT = `
const net = require('node:net');
const [host, port, ...locals] = process.argv.slice(1);
const socks = [];
(async () => {
  for (const localAddress of locals) {
    const line = await new Promise((resolve) => {
      const s = net.connect({ host, port: Number(port), localAddress });
      socks.push(s);
      let buf = '';
      s.setEncoding('utf8');
      s.on('error', (e) => resolve('error ' + e.message));
      s.on('connect', () => s.write('NICK n' + socks.length + '\\r\\nUSER u 0 * :u\\r\\n'));
      s.on('data', (d) => { buf += d; const i = buf.indexOf('\\n'); if (i !== -1) resolve(buf.slice(0, i).trim()); });
      setTimeout(() => resolve('nothing'), 5000).unref();
    });
    console.log(JSON.stringify(line));
  }
  for (const s of socks) s.destroy();
})();
`;

function inNs(ns: string, host: string, port: number, locals: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const p = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', CLIENT, host, String(port), ...locals], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(out.trim().split('\n').map((l) => JSON.parse(l) as string)) : reject(new Error(`client exited ${code}: ${err}`))));
  });
}

describe('in a network namespace', () => {
  const why = netnsUnavailable();
  const id = process.pid % 10000;
  const ns = `tcnl${id}`;
  const hv = `tnlh${id}`;
  const pv = `tnlp${id}`;
  const sh = (...args: string[]): void => {
    const r = spawnSync('ip', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
  };
  const setup = (): void => {
    sh('netns', 'add', ns);
    cleanups.push(() => {
      spawnSync('ip', ['link', 'del', hv]);
      spawnSync('ip', ['netns', 'del', ns]);
    });
    sh('link', 'add', hv, 'type', 'veth', 'peer', 'name', pv);
    sh('link', 'set', pv, 'netns', ns);
    // a public-looking /24 (TEST-NET-2) and a global IPv6 /64 (documentation range)
    sh('addr', 'add', '198.51.100.1/24', 'dev', hv);
    sh('addr', 'add', '2001:db8:64::1/64', 'dev', hv, 'nodad');
    sh('link', 'set', hv, 'up');
    sh('-n', ns, 'addr', 'add', '198.51.100.2/24', 'dev', pv);
    for (const a of ['a', 'b', 'c']) sh('-n', ns, 'addr', 'add', `2001:db8:64::${a}/64`, 'dev', pv, 'nodad');
    sh('-n', ns, 'link', 'set', pv, 'up');
    sh('-n', ns, 'link', 'set', 'lo', 'up');
  };

  it('a neighbour on our own public /24 is local', { ...T, skip: why ?? false }, async () => {
    setup();
    const port = await start({ public: false }, '198.51.100.1');
    const [line] = await inNs(ns, '198.51.100.1', port, ['198.51.100.2']);
    assert.match(line!, / 001 n1 /, 'accepted, not "only accepts connections from the local network"');
  });

  it('many IPv6 addresses of one /64 share one per-IP cap', { ...T, skip: why ?? false }, async () => {
    setup();
    const port = await start({ public: true, connections: { ...LIMITS, perIp: 2 } }, '2001:db8:64::1');
    const lines = await inNs(ns, '2001:db8:64::1', port, ['2001:db8:64::a', '2001:db8:64::b', '2001:db8:64::c']);
    assert.match(lines[0]!, / 001 /);
    assert.match(lines[1]!, / 001 /);
    assert.equal(lines[2], closingLine('2001:db8:64::c', 'TINCAN_ERR_TOO_MANY'));
  });
});
