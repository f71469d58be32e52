/**
 * The nodes of one cluster on mDNS: two nodes advertise themselves (src/discovery/
 * advertise.ts, TXT cluster=school and node=n1/n2) in network namespace A; `tincan chat`
 * with no host, in namespace B (joined only by a veth pair), finds them and offers them
 * as one server with two addresses, not as two servers. The advertisers are the real
 * advertise() without the rest of a node: a cluster needs Redis and PostgreSQL, which
 * the namespace does not have, and the grouping only reads the TXT records.
 *
 * Needs root and `ip netns`; skips, saying why, otherwise.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { eventually } from '../helpers/tmux.js';
import { makeNsPair, netnsUnavailable, type NsPair } from '../helpers/netns.js';
import { REPO, tincanArgv } from './chat-helpers.js';

const ADDR_A = '10.79.0.1';
const ADDR_B = '10.79.0.2';

let unavailable: string | null = null;
let pair: NsPair | null = null;
const procs: ChildProcess[] = [];

before(() => {
  unavailable = netnsUnavailable();
  if (unavailable !== null) return;
  try {
    pair = makeNsPair('mdnscl', ADDR_A, ADDR_B);
  } catch (e) {
    unavailable = `cannot set up network namespaces: ${(e as Error).message}`;
  }
});

after(() => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  pair?.destroy();
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

test('two nodes of cluster school on mDNS: tincan chat finds one server with two addresses', { timeout: 29000 }, async (t) => {
  if (unavailable !== null) return t.skip(unavailable);
  const code = `
    import pino from 'pino';
    import { advertise } from './src/discovery/advertise.ts';
    const logger = pino({ level: 'silent' });
    for (const [port, node] of [[5101, 'n1'], [5102, 'n2']]) {
      advertise({ port, serverName: 'school.local', version: '1', channel: '#lobby', logger, cluster: { name: 'school', node } });
    }
    console.log('advertising');`;
  const nodes = spawnIn(pair!.a, ['--import', 'tsx', '--input-type=module', '-e', code]);
  await eventually(() => /advertising/.test(nodes.out()), 'the two nodes advertise', 15000).catch((e: Error) => assert.fail(`${e.message}\n${nodes.err()}`));
  const chat = spawnIn(pair!.b, tincanArgv('chat', '--nick', 'finder'), { TINCAN_BROWSE_MS: '4000' });
  const where = () => `\nstdout:\n${chat.out()}\nstderr:\n${chat.err()}`;
  const a = ADDR_A.replace(/\./g, '\\.');
  await eventually(() => /Found |No chat server/.test(chat.err()), 'the client to report what it found', 15000).catch((e: Error) => assert.fail(e.message + where()));
  assert.match(chat.err(), new RegExp(`Found tincan on school port 510[12] \\(tincan\\) at ${a}:510[12] and 1 more node of cluster school \\(${a}:510[12]\\)`), where());
  assert.doesNotMatch(chat.err(), /Several servers answered/, 'one server, not two' + where());
  chat.proc.kill('SIGKILL');
});
