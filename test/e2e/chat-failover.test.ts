/**
 * `tincan chat` fails over between the nodes of one server: given two addresses
 * (A,B), connected to A, A killed with kill -9: the client says so, retries A, moves to
 * B by itself, rejoins its room and keeps chatting there. Two independent `tincan
 * serve` processes stand in for two nodes: the failover does not care what is behind
 * the addresses (test/e2e/cluster-failover.test.ts runs it on a real cluster).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tmux, eventually, haveCommand } from '../helpers/tmux.js';
import { RawClient } from '../helpers/raw-client.js';
import { chatCommand, dump, freePort, spawnServe, statusLine } from './chat-helpers.js';

const skip = haveCommand('tmux') ? false : 'tmux is needed (apt-get install tmux)';

let tmux: Tmux;
let started = false;
const dirs: string[] = [];
const servers: Awaited<ReturnType<typeof spawnServe>>[] = [];
let portA = 0;
let portB = 0;

before(async () => {
  if (skip) return;
  portA = await freePort();
  portB = await freePort();
  for (const port of [portA, portB]) {
    const dir = mkdtempSync(join(tmpdir(), 'tincan-failover-'));
    dirs.push(dir);
    servers.push(await spawnServe(port, dir));
  }
  tmux = new Tmux();
  started = true;
  tmux.start('dave', chatCommand(`127.0.0.1:${portA},127.0.0.1:${portB} --nick dave`), { TERM: 'xterm-256color' }, 110, 24);
});

after(async () => {
  if (skip) return;
  if (started) tmux.kill();
  for (const s of servers) await s.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('node A killed -9: the terminal client moves to node B, rejoins and keeps chatting', { skip, timeout: 40_000 }, async (t) => {
  t.after(() => {
    if (process.env['TINCAN_TEST_DUMP']) console.log(dump(tmux, 'dave'));
  });
  await eventually(() => new RegExp(`Connected to 127\\.0\\.0\\.1:${portA}`).test(tmux.screen('dave')), 'dave connects to A', 15000);
  tmux.type('dave', '/join #failover');
  await eventually(() => /You joined #failover/.test(tmux.screen('dave')), 'dave in #failover');

  const onB = await RawClient.connect(portB);
  t.after(() => onB.socket.destroy());
  await onB.register('erin');
  onB.send('JOIN #failover');
  await onB.waitFor(/ 366 /, 5000);

  servers[0]!.proc.kill('SIGKILL');
  await eventually(() => /Disconnected/.test(tmux.screen('dave')), 'dave sees the disconnect', 10000);
  // the retry of A is refused, so the next attempt is B (backoff about 1 s, then 2 s)
  await onB.waitFor(/:dave!\S+ JOIN :?#failover/, 20000);
  await eventually(() => !/disconnected/.test(statusLine(tmux.screen('dave'))), 'status no longer says disconnected');

  tmux.type('dave', 'still here on B');
  await onB.waitFor(/:dave!\S+ PRIVMSG #failover :still here on B/, 10000);
  onB.send('PRIVMSG #failover :welcome to B, dave');
  await eventually(() => /<erin> welcome to B, dave/.test(tmux.screen('dave')), 'dave sees erin on B');
  // the server window says where it went
  tmux.type('dave', '/win 1');
  await eventually(() => new RegExp(`127\\.0\\.0\\.1:${portA} did not let us in; next try: 127\\.0\\.0\\.1:${portB} \\(another node`).test(tmux.screen('dave')), 'dave is told it tried another node');
});

test('a lone node publishes no addresses at /nodes.json (nothing to fail over to)', { skip }, async () => {
  const body = await new Promise<string>((resolve, reject) => {
    const q = request({ host: '127.0.0.1', port: portB, path: '/nodes.json' }, (res) => {
      let b = '';
      res.on('data', (d: Buffer) => (b += d.toString()));
      res.on('end', () => resolve(b));
    });
    q.on('error', reject);
    q.end();
  });
  assert.deepEqual(JSON.parse(body), { cluster: null, nodes: [] });
});
