/**
 * `tincan chat` with no host finds a server by itself: `tincan serve` (which advertises
 * `_tincan._tcp` and `_irc._tcp` over mDNS) runs in network namespace A, `tincan chat`
 * in namespace B, joined only by a veth pair, so the client can only learn the address
 * from mDNS. The client runs line-oriented (stdin/stdout are pipes), connects, joins.
 *
 * Needs root and `ip netns`; skips, saying why, otherwise.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../helpers/tmux.js';
import { makeNsPair, netnsUnavailable, type NsPair } from '../helpers/netns.js';
import { REPO, tincanArgv } from './chat-helpers.js';

const ADDR_A = '10.78.0.1';
const ADDR_B = '10.78.0.2';

let unavailable: string | null = null;
let pair: NsPair | null = null;
let data = '';
const procs: ChildProcess[] = [];

before(() => {
  unavailable = netnsUnavailable();
  if (unavailable !== null) return;
  try {
    pair = makeNsPair('chat', ADDR_A, ADDR_B);
  } catch (e) {
    unavailable = `cannot set up network namespaces: ${(e as Error).message}`;
  }
  data = mkdtempSync(join(tmpdir(), 'tincan-chat-mdns-'));
});

after(() => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  pair?.destroy();
  if (data) rmSync(data, { recursive: true, force: true });
});

function spawnIn(ns: string, args: string[], env: Record<string, string> = {}): { proc: ChildProcess; out: () => string; err: () => string } {
  const proc = spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  procs.push(proc);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { proc, out: () => out, err: () => err };
}

test('with no host, finds the server advertised in another namespace and connects', { timeout: 29000 }, async (t) => {
  if (unavailable !== null) return t.skip(unavailable);
  const server = spawnIn(pair!.a, tincanArgv('serve', '--host', '0.0.0.0', '--port', '0', '--name', 'chatfind.local', '--quiet', '--data', data), { TINCAN_LOG: 'json' });
  const port = Number(
    (await eventually(() => /"port":(\d+)[^\n]*listening/.exec(server.out() + server.err()), 'tincan serve listening in namespace A', 15000))[1],
  );
  const chat = spawnIn(pair!.b, tincanArgv('chat', '--nick', 'finder'), { TINCAN_BROWSE_MS: '4000' });
  const where = () => `\nstdout:\n${chat.out()}\nstderr:\n${chat.err()}`;
  await eventually(() => new RegExp(`Found .* at ${ADDR_A.replace(/\./g, '\\.')}:${port}`).test(chat.err()), `the client finds ${ADDR_A}:${port}`, 15000).catch((e: Error) =>
    assert.fail(e.message + where()),
  );
  await eventually(() => new RegExp(`Connected to ${ADDR_A.replace(/\./g, '\\.')}:${port} as finder`).test(chat.err()), 'the client connects', 8000).catch((e: Error) =>
    assert.fail(e.message + where()),
  );
  // found on mDNS: the TLS certificate is checked against the fingerprint in the TXT record
  assert.match(chat.err(), /Encrypted \(TLS\), certificate verified \(the fingerprint the server announced on the network\)/, where());
  chat.proc.stdin!.write('/join #found\n');
  await eventually(() => /^\[\d\d:\d\d\] #found -- You joined #found$/m.test(chat.out()), 'joined a room there', 8000).catch((e: Error) => assert.fail(e.message + where()));
  chat.proc.stdin!.end();
  const code = await new Promise((r) => (chat.proc.exitCode !== null ? r(chat.proc.exitCode) : chat.proc.once('exit', r)));
  assert.equal(code, 0, where());
  server.proc.kill('SIGTERM');
});
