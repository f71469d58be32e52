/**
 * mDNS / DNS-SD seen from another machine: `tincan serve` runs in network namespace A,
 * a bonjour-service browser in namespace B, joined only by a veth pair (10.77.x.x), so
 * no multicast ever touches a real interface. Checks the three services, their TXT
 * records and port, that a client in B can join through the advertised address, and
 * that the services are withdrawn (goodbye packets) when the server shuts down.
 *
 * Needs root and `ip netns`; skips, saying why, otherwise.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnServe } from '../helpers/cli-server.js';
import { VERSION } from '../../src/core/version.js';
import { makeNsPair, netnsUnavailable, type NsPair } from '../helpers/netns.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ADDR_A = '10.77.0.1';
const ADDR_B = '10.77.0.2';

let unavailable: string | null = null;
let pair: NsPair | null = null;
before(() => {
  unavailable = netnsUnavailable();
  if (unavailable !== null) return;
  try {
    pair = makeNsPair('mdns', ADDR_A, ADDR_B);
  } catch (e) {
    unavailable = `cannot set up network namespaces: ${(e as Error).message}`;
  }
});
after(() => pair?.destroy());

interface Seen {
  event: 'up' | 'down';
  type: string;
  name: string;
  port: number;
  txt: Record<string, string>;
  addresses: string[];
}

/** Runs a bonjour-service browser for the three service types inside namespace B. */
function browse(): { proc: ChildProcess; seen: Seen[]; waitFor: (pred: (s: Seen) => boolean, ms: number) => Promise<Seen> } {
  const script = `
    const { Bonjour } = require('bonjour-service');
    const b = new Bonjour({}, (e) => console.error('mdns error', e.message));
    for (const type of ['tincan', 'irc', 'http']) {
      const br = b.find({ type });
      const out = (event, s) => console.log(JSON.stringify({ event, type, name: s.name, port: s.port, txt: s.txt || {}, addresses: s.addresses || [] }));
      br.on('up', (s) => out('up', s));
      br.on('down', (s) => out('down', s));
      // ask again now and then: the first query may go out before the server is up
      setInterval(() => br.update(), 500);
    }`;
  const proc = spawn('ip', ['netns', 'exec', pair!.b, process.execPath, '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const seen: Seen[] = [];
  const waiters: { pred: (s: Seen) => boolean; resolve: (s: Seen) => void }[] = [];
  let buf = '';
  let errText = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const s = JSON.parse(line) as Seen;
      seen.push(s);
      for (const w of [...waiters]) {
        if (w.pred(s)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(s);
        }
      }
    }
  });
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (errText += d));
  return {
    proc,
    seen,
    waitFor(pred, ms) {
      const found = seen.find(pred);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`browser did not see it in ${ms} ms; saw ${JSON.stringify(seen)}\n${errText}`)), ms);
        waiters.push({
          pred,
          resolve: (s) => {
            clearTimeout(t);
            resolve(s);
          },
        });
      });
    },
  };
}

test('another machine sees _tincan, _irc and _http over mDNS, joins through them, and sees them withdrawn on shutdown', { timeout: 30_000 }, async (t) => {
  if (unavailable !== null) return t.skip(unavailable);
  const browser = browse();
  const server = await spawnServe(
    ['--host', '0.0.0.0', '--port', '0', '--name', 'mdnstest.local', '--quiet', '--data', mkdtempSync(join(tmpdir(), 'tincan-mdns-'))],
    ['ip', 'netns', 'exec', pair!.a],
  );
  try {
    const tincan = await browser.waitFor((s) => s.event === 'up' && s.type === 'tincan', 10_000);
    assert.equal(tincan.port, server.port);
    assert.equal(tincan.name, `tincan on mdnstest port ${server.port}`);
    // fp: the TLS certificate's SHA-256, as the server logged it, without colons
    const fp = /"fingerprint":"([0-9A-F:]+)"/.exec(server.output())![1]!.replace(/:/g, '').toLowerCase();
    assert.deepEqual(tincan.txt, { v: VERSION, name: 'mdnstest.local', ws: '/irc', fp });
    assert.ok(tincan.addresses.includes(ADDR_A), `addresses ${tincan.addresses.join(', ')}`);
    const irc = await browser.waitFor((s) => s.event === 'up' && s.type === 'irc', 5000);
    assert.equal(irc.port, server.port);
    assert.deepEqual(irc.txt, { channel: '#lobby' });
    const http = await browser.waitFor((s) => s.event === 'up' && s.type === 'http', 5000);
    assert.equal(http.port, server.port);

    // a client in namespace B joins through the advertised address and port
    const ask = spawnSync(
      'ip',
      ['netns', 'exec', pair!.b, process.execPath, '-e', `fetch('http://${tincan.addresses.find((a) => a === ADDR_A)}:${tincan.port}/').then(async (r) => console.log(r.status, await r.text()))`],
      { encoding: 'utf8', timeout: 10_000 },
    );
    assert.match(ask.stdout, /^200 [\s\S]*(<title>tincan<\/title>|tincan is running)/);

    server.proc.kill('SIGTERM');
    await browser.waitFor((s) => s.event === 'down' && s.type === 'tincan', 5000);
    await browser.waitFor((s) => s.event === 'down' && s.type === 'irc', 5000);
    const code = server.proc.exitCode ?? (await once(server.proc, 'exit'))[0];
    assert.equal(code, 0, server.output());
  } finally {
    server.proc.kill('SIGKILL');
    browser.proc.kill('SIGKILL');
  }
});

test('a new TLS certificate on SIGHUP is announced on mDNS with its new fingerprint', { timeout: 30_000 }, async (t) => {
  if (unavailable !== null) return t.skip(unavailable);
  const browser = browse();
  const data = mkdtempSync(join(tmpdir(), 'tincan-mdns-'));
  const server = await spawnServe(['--host', '0.0.0.0', '--port', '0', '--name', 'mdnsfp.local', '--quiet', '--data', data], ['ip', 'netns', 'exec', pair!.a]);
  try {
    const first = /"fingerprint":"([0-9A-F:]+)"/.exec(server.output())![1]!.replace(/:/g, '').toLowerCase();
    await browser.waitFor((s) => s.event === 'up' && s.type === 'tincan' && s.txt['fp'] === first, 10_000);
    // the generated certificate is gone: SIGHUP makes a new one and re-announces
    rmSync(join(data, 'tls-cert.pem'));
    server.proc.kill('SIGHUP');
    const deadline = Date.now() + 10_000;
    while (!/TLS certificate reloaded: new certificate/.test(server.output())) {
      if (Date.now() > deadline) throw new Error('no reload logged:\n' + server.output());
      await once(server.proc.stdout!, 'data');
    }
    const fps = [...server.output().matchAll(/"fingerprint":"([0-9A-F:]+)"/g)].map((m) => m[1]!.replace(/:/g, '').toLowerCase());
    const second = fps[fps.length - 1]!;
    assert.notEqual(second, first);
    await browser.waitFor((s) => s.event === 'up' && s.type === 'tincan' && s.txt['fp'] === second, 10_000);
  } finally {
    server.proc.kill('SIGKILL');
    browser.proc.kill('SIGKILL');
  }
});
