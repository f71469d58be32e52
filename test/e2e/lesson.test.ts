/**
 * The lesson's steps (examples/lesson/*.py, Python 3 stdlib only) against a real tincan
 * on port 0: each script's stdin and stdout are driven from here while an IRC user in
 * the same room checks what crossed. Skipped, saying why, without python3.
 */
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServeHandle } from '../../src/cli/serve.js';
import { RawClient } from '../helpers/raw-client.js';
import { serveInProcess } from '../helpers/serve-inprocess.js';

const LESSON = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'lesson');
const noPython = spawnSync('python3', ['--version']).status === 0 ? false : 'python3 is needed';
const T = { timeout: 30_000, skip: noPython };

const handles: ServeHandle[] = [];
const kids: ChildProcessWithoutNullStreams[] = [];
const clients: RawClient[] = [];
afterEach(async () => {
  for (const k of kids.splice(0)) if (k.exitCode === null) k.kill();
  for (const c of clients.splice(0)) c.socket.destroy();
  while (handles.length > 0) await handles.pop()!.close();
});

async function serve(config: Record<string, unknown> = {}): Promise<ServeHandle> {
  const h = await serveInProcess({ data: mkdtempSync(join(tmpdir(), 'tincan-lesson-')), config: { history: { replayLines: 0 }, ...config } });
  handles.push(h);
  return h;
}

interface Script {
  p: ChildProcessWithoutNullStreams;
  out: () => string;
  type(line: string): void;
  sees(re: RegExp, ms?: number): Promise<void>;
  exited: Promise<number | null>;
}

function run(name: string, h: ServeHandle, ...args: string[]): Script {
  const p = spawn('python3', ['-u', join(LESSON, name), '127.0.0.1', String(h.port), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  kids.push(p);
  let out = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
  return {
    p,
    out: () => out,
    type: (line) => void p.stdin.write(line + '\n'),
    exited,
    async sees(re, ms = 10_000) {
      const end = Date.now() + ms;
      while (!re.test(out)) {
        if (Date.now() > end) throw new Error(`${name} did not print ${re}; it printed:\n${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

async function ircUser(h: ServeHandle, nick: string, room = '#lobby'): Promise<RawClient> {
  const c = await RawClient.connect(h.port);
  clients.push(c);
  await c.register(nick);
  c.send(`JOIN ${room}`);
  await c.waitFor(new RegExp(` 366 ${nick} ${room} `));
  return c;
}

test('step 1: send and receive in a loop (what others said shows after your next line)', T, async () => {
  const h = await serve();
  const bob = await ircUser(h, 'bob');
  const s = run('step1_loop.py', h);
  await s.sees(/Welcome to tincan/);
  s.type('hello from step one');
  const said = await bob.waitFor(/PRIVMSG #lobby :hello from step one$/);
  assert.match(said, /^:guest\d+!/);
  bob.send('PRIVMSG #lobby :hi step one');
  // it only reads after sending: the next line brings bob's message
  s.type('and a second line');
  await bob.waitFor(/PRIVMSG #lobby :and a second line$/);
  await s.sees(/<bob> hi step one/);
  s.p.stdin.end();
  assert.equal(await s.exited, 0);
});

test('step 2: a thread receives while the main program waits for typing', T, async () => {
  const h = await serve();
  const bob = await ircUser(h, 'bob');
  const s = run('step2_threads.py', h);
  await s.sees(/Type a message and press Enter/);
  // nothing typed: bob's line shows by itself
  bob.send('PRIVMSG #lobby :are you there?');
  await s.sees(/<bob> are you there\?/);
  s.type('yes, live');
  await bob.waitFor(/PRIVMSG #lobby :yes, live$/);
  s.p.stdin.end();
  assert.equal(await s.exited, 0);
  await bob.waitFor(/ QUIT /);
});

test('step 3: a name and a room by speaking plain lines to tincan', T, async () => {
  const h = await serve();
  const bob = await ircUser(h, 'bob', '#homework');
  const s = run('step3_plain_chat.py', h, 'alice', '#homework');
  await bob.waitFor(/^:alice!\S+ JOIN #homework/);
  await s.sees(/You are now known as alice/);
  s.type('who else is doing the homework?');
  await bob.waitFor(/^:alice!\S+ PRIVMSG #homework :who else is doing the homework\?$/);
  bob.send('PRIVMSG #homework :me, alice');
  await s.sees(/<bob> me, alice/);
  s.type('/quit');
  assert.equal(await s.exited, 0);
  await bob.waitFor(/^:alice!\S+ QUIT /);
});

test('step 4: the same over IRC: registration, JOIN, PRIVMSG both ways, PING answered with PONG', { ...T, timeout: 40_000 }, async () => {
  // the server PINGs after a second of silence and drops a client that does not PONG within one
  const h = await serve({ timeouts: { pingInterval: 1, pingTimeout: 1 } });
  const bob = await ircUser(h, 'bob', '#homework');
  // bob answers PINGs too
  bob.socket.on('data', (d: Buffer | string) => {
    for (const m of String(d).matchAll(/^PING (.*?)\r?$/gm)) bob.send('PONG ' + m[1]!);
  });
  const s = run('step4_irc.py', h, 'pyirc', '#homework');
  await s.sees(/\* connected as pyirc/);
  await bob.waitFor(/^:pyirc!\S+ JOIN #homework/);
  s.type('hello over IRC');
  await bob.waitFor(/^:pyirc!\S+ PRIVMSG #homework :hello over IRC$/);
  bob.send('PRIVMSG #homework :welcome, pyirc');
  await s.sees(/\[#homework\] <bob> welcome, pyirc/);
  bob.send('PRIVMSG #homework :\x01ACTION waves\x01');
  await s.sees(/\[#homework\] \* bob waves/);
  // quiet for longer than ping interval + timeout: only PONGs keep it connected
  const quietFrom = bob.lines.length;
  await new Promise((r) => setTimeout(r, 3500));
  assert.equal(bob.lines.slice(quietFrom).filter((l) => /pyirc!\S+ QUIT/.test(l)).length, 0, 'pyirc answered the PINGs');
  s.type('/join #other');
  await s.sees(/\* pyirc joined #other/);
  s.type('/quit');
  assert.equal(await s.exited, 0);
  await bob.waitFor(/^:pyirc!\S+ QUIT :Quit: bye$/);
});
