#!/usr/bin/env node
// TLS cost next to plaintext: registrations/s, server CPU per registration and server
// memory per idle registered client, for N clients, plaintext then TLS (same port,
// self-signed EC P-256 certificate, TLS 1.3), each against a fresh `tincan serve`
// (dist/, storage in memory, connection limits off). ircbench (C) has no TLS, so the
// clients are Node sockets in this process, on the same machine: the client's own
// handshake work competes with the server's for the CPUs, as it would in ircbench.
//
//   npm run build --silent && node bench/tls.mjs [N=2000] [CONCURRENCY=100]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import tls from 'node:tls';

const N = Number(process.argv[2] ?? 2000);
const CONC = Number(process.argv[3] ?? 100);
const CLK = 100; // USER_HZ for /proc/PID/stat

function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]);
}
function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLK; // utime + stime
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-benchtls-'));
  writeFileSync(
    join(dir, 'c.json'),
    JSON.stringify({ storage: 'memory', logLevel: 'info', connections: { enabled: false }, flood: { enabled: false }, timeouts: { pingInterval: 3600 }, tls: { handshakesPerIp: 1000000 } }),
  );
  const proc = spawn(process.execPath, ['dist/cli/main.js', 'serve', '--host', '127.0.0.1', '--port', '0', '--quiet', '--no-mdns', '--data', dir, '-c', join(dir, 'c.json')], {
    env: { ...process.env, TINCAN_LOG: 'json' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const port = await new Promise((resolve, reject) => {
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /"port":(\d+)[^\n]*listening/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (c) => reject(new Error(`server exited ${c}: ${out}`)));
  });
  proc.stdout.resume();
  return { proc, port, stop: () => (proc.kill('SIGKILL'), rmSync(dir, { recursive: true, force: true })) };
}

function register(port, useTls, i) {
  return new Promise((resolve, reject) => {
    const s = useTls ? tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false }) : net.connect({ port, host: '127.0.0.1' });
    let buf = '';
    const t = setTimeout(() => reject(new Error(`client ${i} did not register`)), 30000);
    s.on(useTls ? 'secureConnect' : 'connect', () => s.write(`NICK b${i}\r\nUSER b${i} 0 * :b\r\n`));
    s.setEncoding('utf8');
    s.on('data', (d) => {
      if (buf === null) return;
      buf += d;
      if (/ 001 /.test(buf)) {
        buf = null;
        clearTimeout(t);
        resolve(s);
      }
    });
    s.on('error', reject);
  });
}

async function run(useTls) {
  const srv = await startServer();
  await sleep(1000);
  const rss0 = rssKiB(srv.proc.pid);
  const cpu0 = cpuMs(srv.proc.pid);
  const socks = [];
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONC }, async () => {
      while (next < N) socks.push(await register(srv.port, useTls, next++));
    }),
  );
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu1 = cpuMs(srv.proc.pid);
  await sleep(3000); // idle: let the server settle
  const rss1 = rssKiB(srv.proc.pid);
  for (const s of socks) s.destroy();
  srv.stop();
  return { mode: useTls ? 'tls' : 'plain', registered: socks.length, regPerSec: N / secs, cpuMsPerReg: (cpu1 - cpu0) / N, bytesPerConn: ((rss1 - rss0) * 1024) / N, rssMiB: rss1 / 1024 };
}

const results = [];
for (const useTls of [false, true]) {
  const r = await run(useTls);
  results.push(r);
  console.log(
    `tls.${r.mode}: ${r.registered}/${N} registered, ${r.regPerSec.toFixed(0)} registrations/s, server CPU ${r.cpuMsPerReg.toFixed(2)} ms/registration, ${(r.bytesPerConn / 1024).toFixed(1)} KB/conn idle, server RSS ${r.rssMiB.toFixed(0)} MiB`,
  );
}
const [p, t] = results;
console.log(`tls.cost: registrations/s x${(t.regPerSec / p.regPerSec).toFixed(2)}, server CPU/registration x${(t.cpuMsPerReg / p.cpuMsPerReg).toFixed(2)}, memory +${((t.bytesPerConn - p.bytesPerConn) / 1024).toFixed(1)} KB/conn`);
