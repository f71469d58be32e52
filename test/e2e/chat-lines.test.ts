/**
 * `tincan chat` outside IRC and outside a terminal:
 * - tcp:// mode in tmux against the lesson's server (../shared/lesson/seed_server.py):
 *   the server receives the typed line, the client shows `Your reply` (sent without a
 *   newline, just before the server closes);
 * - tcp:// in a pipe against a socket that sends a partial line;
 * - line-oriented IRC mode in a pipe: stdin lines are sent, messages print as
 *   "[HH:MM] #room <nick> text", end of input quits.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { startServer } from '../helpers/server.js';
import { RawClient } from '../helpers/raw-client.js';
import { Tmux, eventually, haveCommand } from '../helpers/tmux.js';
import { REPO, chatCommand, dump, freePort, tincanArgv } from './chat-helpers.js';

const LESSON = join(REPO, '..', 'shared', 'lesson', 'seed_server.py');
const lessonSkip = !existsSync(LESSON)
  ? `the lesson server is not at ${LESSON}`
  : !haveCommand('python3')
    ? 'python3 is needed'
    : !haveCommand('tmux')
      ? 'tmux is needed (apt-get install tmux)'
      : false;

const tmux = new Tmux();
after(() => tmux.kill());

test("tcp:// against the lesson's server: it receives the line, the client shows Your reply", { skip: lessonSkip, timeout: 25000 }, async (t) => {
  const port = await freePort();
  const py = spawn('python3', ['-u', LESSON, '127.0.0.1', String(port), '15'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  py.stdout.on('data', (d: Buffer) => (out += d.toString()));
  py.stderr.on('data', (d: Buffer) => (out += d.toString()));
  t.after(() => py.kill());
  // the script accepts one connection only, so do not probe it: wait until the port is taken
  const bound = (): Promise<boolean> =>
    new Promise((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(true));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
    });
  const deadline = Date.now() + 8000;
  while (!(await bound())) {
    if (Date.now() > deadline || py.exitCode !== null) assert.fail(`the lesson server did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  t.after(() => {
    if (process.env['TINCAN_TEST_DUMP']) console.log(dump(tmux, 'lesson'), out);
  });
  tmux.start('lesson', `${chatCommand(`tcp://127.0.0.1:${port}`)}; sleep 20`, { TERM: 'xterm-256color' }, 90, 20);
  await eventually(() => /Connected to 127\.0\.0\.1/.test(tmux.screen('lesson')), 'the client connects', 15000);
  tmux.type('lesson', 'hello lesson server');
  await eventually(() => /Received: b'hello lesson server\\n'/.test(out), 'the server received the typed line');
  await eventually(() => /<them> Your reply/.test(tmux.screen('lesson')), 'the client shows Your reply');
  await eventually(() => /Connection closed/.test(tmux.screen('lesson')), 'and that the server closed');
  assert.match(tmux.screen('lesson'), /<you> hello lesson server/, 'what was sent is shown too');
});

function run(args: string[], input: string | null): { done: Promise<number>; out: () => string; err: () => string; write: (s: string) => void; end: () => void } {
  const child = spawn(process.execPath, tincanArgv('chat', ...args), { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  if (input !== null) child.stdin.end(input);
  return {
    done: new Promise((r) => child.once('exit', (code) => r(code ?? -1))),
    out: () => out,
    err: () => err,
    write: (s) => child.stdin.write(s),
    end: () => child.stdin.end(),
  };
}

test('tcp:// in a pipe: stdin lines go out, a partial last line is printed at close', { timeout: 20000 }, async () => {
  const got: string[] = [];
  const srv = createServer((s: Socket) => {
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      got.push(d);
      if (d.includes('ping')) s.end('first line\nno newline at the end');
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  try {
    const c = run([`tcp://127.0.0.1:${port}`], null);
    c.write('ping\n');
    const code = await c.done;
    assert.equal(code, 0, c.err());
    assert.equal(got.join(''), 'ping\n');
    assert.equal(c.out(), 'first line\nno newline at the end\n');
  } finally {
    srv.close();
  }
});

test('line mode in a pipe: joins, sends, prints messages as lines, quits at end of input', { timeout: 25000 }, async () => {
  const srv = await startServer();
  const watcher = await RawClient.connect(srv.port);
  try {
    await watcher.register('watcher');
    watcher.send('JOIN #pipe');
    await watcher.waitFor(/ 366 /);
    const c = run([`127.0.0.1:${srv.port}`, '--nick', 'piper'], null);
    c.write('/join #pipe\nhello from a pipe\n');
    await watcher.waitFor(/^:piper!\S+ PRIVMSG #pipe :hello from a pipe$/, 15000);
    watcher.send('PRIVMSG #pipe :hi piper, from watcher');
    await eventually(() => /^\[\d\d:\d\d\] #pipe <watcher> hi piper, from watcher$/m.test(c.out()), 'the message printed as one line');
    assert.match(c.out(), /^\[\d\d:\d\d\] #pipe -- You joined #pipe$/m);
    assert.doesNotMatch(c.out(), /PRIVMSG|\x1b\[/, 'no protocol, no escape sequences');
    assert.match(c.err(), /Connected to 127\.0\.0\.1:\d+ as piper/, 'status on stderr');
    c.end();
    await watcher.waitFor(/^:piper!\S+ QUIT/, 8000);
    assert.equal(await c.done, 0);
  } finally {
    watcher.socket.destroy();
    await srv.stop();
  }
});
