/**
 * `tincan chat` with no host and no server found asks "Start a server on this computer
 * now? [Y/n]"; with several servers found it asks "Connect to which one?". Driven in
 * tmux (the questions are only asked on a terminal), each client in a network namespace
 * of its own so nothing on this machine (port 4444, other tests' mDNS) can answer.
 *
 * Needs root, `ip netns` and tmux; skips, saying why, otherwise.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tmux, eventually, haveCommand } from '../helpers/tmux.js';
import { makeNsPair, netnsUnavailable, type NsPair } from '../helpers/netns.js';
import { chatCommand, REPO, tincanArgv } from './chat-helpers.js';

let unavailable: string | null = null;
const tmux = new Tmux();
const namespaces: string[] = [];
const dirs: string[] = [];
const procs: ChildProcess[] = [];
const pids: number[] = [];

before(() => {
  unavailable = haveCommand('tmux') ? netnsUnavailable() : 'tmux is not installed';
});

after(() => {
  tmux.kill();
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  for (const ns of namespaces) spawnSync('ip', ['netns', 'del', ns]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A namespace with only loopback: no mDNS answers, nothing on port 4444. */
function lonelyNamespace(tag: string): string {
  const ns = `tcsp${tag}${process.pid % 100000}`;
  for (const args of [['netns', 'add', ns], ['-n', ns, 'link', 'set', 'lo', 'up']]) {
    const r = spawnSync('ip', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
  }
  namespaces.push(ns);
  return ns;
}

function listeningIn(ns: string, port: number): boolean {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'ss', '-Hltn', `sport = :${port}`], { encoding: 'utf8' });
  return r.stdout.trim() !== '';
}

function startChat(name: string, ns: string, home: string, extra = ''): void {
  const env = `HOME=${home} XDG_DATA_HOME=${join(home, 'share')} TINCAN_BROWSE_MS=1500`;
  // `; sleep` keeps the pane (and what the client printed last) after it exits
  tmux.start(name, `cd ${REPO} && env ${env} ip netns exec ${ns} ${chatCommand(`--nick asker ${extra}`)}; echo EXIT=$?; sleep 600`, {}, 140, 30);
}

const START_Q = /Start a server on this computer now \(port 4444, history in .*\)\? \[Y\/n\]/;

test('"n" to "Start a server?" starts nothing and says what to do instead', { timeout: 30000 }, async (t) => {
  if (unavailable !== null) return t.skip(unavailable);
  const ns = lonelyNamespace('n');
  const home = mkdtempSync(join(tmpdir(), 'tincan-prompt-'));
  dirs.push(home);
  startChat('no', ns, home);
  await eventually(() => START_Q.test(tmux.screen('no')), 'the start question', 20000);
  tmux.type('no', 'n');
  const screen = await eventually(() => /EXIT=1/.test(tmux.screen('no')) && tmux.screen('no'), 'the client exits', 10000);
  assert.match(screen, /Start one later with 'tincan serve', or name a server: tincan chat HOST\[:PORT\]/);
  assert.doesNotMatch(screen, /Started tincan serve/);
  assert.equal(listeningIn(ns, 4444), false, 'nothing listens on 4444');
  assert.equal(existsSync(join(home, 'share', 'tincan')), false, 'no data directory was made');
});

test('an unclear answer asks again; end of input (Ctrl+D) is no', { timeout: 30000 }, async (t) => {
  if (unavailable !== null) return t.skip(unavailable);
  const ns = lonelyNamespace('e');
  const home = mkdtempSync(join(tmpdir(), 'tincan-prompt-'));
  dirs.push(home);
  startChat('eof', ns, home);
  await eventually(() => START_Q.test(tmux.screen('eof')), 'the start question', 20000);
  tmux.type('eof', 'maybe');
  await eventually(() => /Please answer y or n\.\n.*\[Y\/n\]/.test(tmux.screen('eof')), 'asked again', 10000);
  tmux.keys('eof', 'C-d');
  const screen = await eventually(() => /EXIT=1/.test(tmux.screen('eof')) && tmux.screen('eof'), 'the client exits', 10000);
  assert.match(screen, /Start one later with 'tincan serve'/);
  assert.equal(listeningIn(ns, 4444), false, 'nothing listens on 4444');
});

test('"y" starts a server, says where it listens, where its data and log go, and connects', { timeout: 40000 }, async (t) => {
  if (unavailable !== null) return t.skip(unavailable);
  const ns = lonelyNamespace('y');
  const home = mkdtempSync(join(tmpdir(), 'tincan-prompt-'));
  dirs.push(home);
  startChat('yes', ns, home);
  await eventually(() => START_Q.test(tmux.screen('yes')), 'the start question', 20000);
  tmux.type('yes', 'y');
  const data = join(home, 'share', 'tincan');
  // the full-screen client shows the notes in its server window
  const screen = await eventually(() => /Connected to 127\.0\.0\.1:4444 as asker/.test(tmux.screen('yes')) && tmux.screen('yes'), 'connected', 25000);
  const pid = Number(/pid (\d+)/.exec(screen)?.[1]);
  if (pid > 0) pids.push(pid);
  assert.ok(pid > 0, screen);
  assert.match(screen, /Listening on port 4444 on every network interface/);
  assert.ok(screen.includes(`History is kept in ${data}`), screen);
  assert.ok(screen.includes(`Its log: ${join(data, 'server.log')}`), screen);
  assert.ok(existsSync(join(data, 'server.log')), 'the server log exists');
  assert.equal(listeningIn(ns, 4444), true);
});

test('a server that fails to start: its own error is shown from its log, and nothing is left running', { timeout: 40000 }, async (t) => {
  if (unavailable !== null) return t.skip(unavailable);
  const ns = lonelyNamespace('f');
  const home = mkdtempSync(join(tmpdir(), 'tincan-prompt-'));
  dirs.push(home);
  // the database path is a directory: the history store cannot open
  mkdirSync(join(home, 'share', 'tincan', 'tincan.db'), { recursive: true });
  startChat('fail', ns, home);
  await eventually(() => START_Q.test(tmux.screen('fail')), 'the start question', 20000);
  tmux.type('fail', 'y');
  const screen = await eventually(() => /EXIT=1/.test(tmux.screen('fail')) && tmux.screen('fail'), 'the client gives up', 25000);
  assert.match(screen, /The server did not start\. The end of its log \(.*server\.log\):/);
  assert.match(screen, /tincan\.db|database/i, screen);
  assert.equal(listeningIn(ns, 4444), false);
});

test('"Connect to which one?": an unclear answer asks again, a number picks that server, q quits', { timeout: 45000 }, async (t) => {
  if (unavailable !== null) return t.skip(unavailable);
  let pair: NsPair;
  try {
    pair = makeNsPair('pick', '10.79.0.1', '10.79.0.2');
  } catch (e) {
    return t.skip(`cannot set up network namespaces: ${(e as Error).message}`);
  }
  t.after(() => pair.destroy());
  const data = mkdtempSync(join(tmpdir(), 'tincan-prompt-'));
  dirs.push(data);
  const ports: number[] = [];
  for (const [i, name] of ['first.local', 'second.local'].entries()) {
    const proc = spawn('ip', ['netns', 'exec', pair.a, process.execPath, ...tincanArgv('serve', '--port', String(5301 + i), '--name', name, '--quiet', '--data', join(data, name))], {
      cwd: REPO,
      env: { ...process.env, TINCAN_LOG: 'json' },
      stdio: 'ignore',
    });
    procs.push(proc);
    ports.push(5301 + i);
  }
  await eventually(() => ports.every((p) => listeningIn(pair.a, p)), 'both servers listen', 20000);
  const home = mkdtempSync(join(tmpdir(), 'tincan-prompt-'));
  dirs.push(home);
  const which = /Connect to which one\? \[1-2, Enter for 1, q to quit\]/;
  startChat('pick', pair.b, home);
  const listed = await eventually(() => which.test(tmux.screen('pick')) && tmux.screen('pick'), 'the choice question', 25000);
  const second = /2\) (\S+) .* at (\S+):(\d+)/.exec(listed);
  assert.ok(second, listed);
  tmux.type('pick', 'n');
  await eventually(() => /Please answer a number from 1 to 2, or q\.\n.*Connect to which one\?/.test(tmux.screen('pick')), 'asked again', 10000);
  tmux.type('pick', '2');
  await eventually(() => tmux.screen('pick').includes(`Connected to ${second[2]}:${second[3]} as asker`), 'connected to the second', 15000);

  startChat('quit', pair.b, home);
  await eventually(() => which.test(tmux.screen('quit')), 'the choice question again', 25000);
  tmux.type('quit', 'q');
  const screen = await eventually(() => /EXIT=1/.test(tmux.screen('quit')) && tmux.screen('quit'), 'the client exits', 10000);
  assert.match(screen, /Not connecting\. Name a server to skip this question: tincan chat HOST\[:PORT\]/);
});
