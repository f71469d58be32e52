#!/usr/bin/env node
// Memory per idle registered connection, measured inside the server process: an
// in-process `tincan serve` (dist/, bench/bench.json, SQLite history in a temp dir),
// N clients in a child process (so their sockets are not counted) register over
// loopback and stay idle; the server's RSS and V8 heapUsed (after a full GC) before and
// after, divided by N. heapUsed is the JS objects a session holds (Session, connection,
// closures, maps); RSS adds the sockets' kernel-side-free native memory and allocator slack.
//
//   npm run build --silent && node --expose-gc bench/idle-mem.mjs [N=2000] [CONCURRENCY=50]
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

const N = Number(process.argv[2] ?? 2000);
const CONC = Number(process.argv[3] ?? 50);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

if (process.argv[4] === 'client') {
  const port = Number(process.argv[5]);
  const socks = [];
  let next = 0;
  const one = (i) =>
    new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => s.write(`NICK m${i}\r\nUSER m${i} 0 * :m\r\n`));
      let buf = '';
      s.setEncoding('utf8');
      s.on('data', (d) => {
        if (buf === null) return;
        buf += d;
        if (/ (376|422) /.test(buf)) {
          buf = null;
          resolve(s);
        }
      });
      s.on('error', reject);
    });
  await Promise.all(Array.from({ length: CONC }, async () => { while (next < N) socks.push(await one(next++)); }));
  process.send?.('registered');
  process.on('message', () => process.exit(0));
} else {
  if (typeof globalThis.gc !== 'function') {
    console.error('run with node --expose-gc');
    process.exit(2);
  }
  const { runServe } = await import('../dist/cli/serve.js');
  const pino = (await import('pino')).default;
  const dir = mkdtempSync(join(tmpdir(), 'tincan-idlemem-'));
  const h = await runServe(['--host', '127.0.0.1', '--port', '0', '--quiet', '--no-mdns', '--data', dir, '--config', new URL('./bench.json', import.meta.url).pathname], process.env, {
    signals: false,
    logger: pino({ level: 'silent' }),
  });
  const measure = async () => {
    for (let i = 0; i < 3; i++) {
      globalThis.gc();
      await sleep(100);
    }
    const m = process.memoryUsage();
    return { rss: m.rss, heap: m.heapUsed };
  };
  const before = await measure();
  const child = fork(new URL(import.meta.url).pathname, [String(N), String(CONC), 'client', String(h.port)], { stdio: 'inherit' });
  await new Promise((r) => child.once('message', r));
  await sleep(1000);
  const after = await measure();
  const kb = (b) => (b / 1024).toFixed(2);
  console.log(
    `idle.conn: ${N} registered idle connections: heapUsed ${kb((after.heap - before.heap) / N)} KB/conn, RSS ${kb((after.rss - before.rss) / N)} KB/conn (server heap ${(after.heap / 1048576).toFixed(1)} MiB, RSS ${(after.rss / 1048576).toFixed(1)} MiB)`,
  );
  child.send('bye');
  await new Promise((r) => child.once('exit', r));
  await h.close();
  rmSync(dir, { recursive: true, force: true });
}
