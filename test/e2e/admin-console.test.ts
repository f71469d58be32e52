/**
 * The host is in charge with zero setup: `tincan serve` on a terminal (tmux) is an admin
 * console and prints a one-time admin code on its join card; `tincan admin` talks to it
 * over <data>/admin.sock (mode 0600). A griefer's +ik on their own room is undone from
 * the console, from `tincan admin`, and from a second client after claiming the code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Tmux, eventually, haveCommand } from '../helpers/tmux.js';
import { RawClient } from '../helpers/raw-client.js';
import { REPO_ROOT } from '../helpers/cli-server.js';

const run = promisify(execFile);
const TSX = [process.execPath, '--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts')];

async function lockedRoom(port: number, nick: string, room: string): Promise<RawClient> {
  const g = await RawClient.connect(port);
  await g.register(nick);
  g.send(`JOIN ${room}`);
  g.send(`MODE ${room} +ik secret`);
  await g.waitFor(new RegExp(`MODE ${room} \\+ik secret`));
  return g;
}

async function cannotJoin(c: RawClient, room: string): Promise<void> {
  c.send(`JOIN ${room}`);
  await c.next(new RegExp(` 475 \\S+ ${room} `));
}

test('console, tincan admin and a claimed client each undo a griefer lock', { skip: !haveCommand('tmux') && 'tmux is not installed', timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-admin-'));
  const data = join(dir, 'data');
  const cfg = join(dir, 'tincan.json');
  writeFileSync(cfg, JSON.stringify({ tls: { enabled: false }, logLevel: 'warn' }));
  const tmux = new Tmux();
  const clients: RawClient[] = [];
  let serverPid = 0;
  try {
    tmux.start('srv', `cd ${REPO_ROOT} && exec ${TSX.join(' ')} serve --host 127.0.0.1 --port 0 --no-mdns --config ${cfg} --data ${data}`, {}, 160, 100);
    const screen = await eventually(() => {
      const s = tmux.screen('srv');
      return /nc 127\.0\.0\.1 \d+/.test(s) && /\/admin [0-9A-Z]{5}-[0-9A-Z]{5}/.test(s) && s;
    }, 'the join card with an admin code', 30_000);
    serverPid = Number(execFileSync('tmux', ['-L', tmux.socket, 'display-message', '-p', '-t', 'srv', '#{pane_pid}'], { encoding: 'utf8' }).trim());
    const port = Number(/nc 127\.0\.0\.1 (\d+)/.exec(screen)![1]);
    const code = /\/admin ([0-9A-Z]{5}-[0-9A-Z]{5})/.exec(screen)![1]!;
    assert.match(screen, /this terminal takes admin commands/);

    // the socket: only this user may use it
    const sock = join(data, 'admin.sock');
    await eventually(() => statSync(sock, { throwIfNoEntry: false }), 'the admin socket');
    assert.equal(statSync(sock).mode & 0o777, 0o600);

    const student = await RawClient.connect(port);
    clients.push(student);
    await student.register('student');

    // 1. the console
    clients.push(await lockedRoom(port, 'griefer1', '#den1'));
    await cannotJoin(student, '#den1');
    tmux.type('srv', '/help');
    await eventually(() => /\/announce text/.test(tmux.screen('srv')) && /\/unlock #room/.test(tmux.screen('srv')), 'the console /help');
    tmux.type('srv', '/unlock #den1');
    await eventually(() => tmux.screen('srv').includes('#den1 is now +nt'), 'the console unlocks #den1');
    student.send('JOIN #den1');
    await student.next(/:student!\S+ JOIN #den1/);

    // 2. tincan admin, from another terminal (a child process here)
    clients.push(await lockedRoom(port, 'griefer2', '#den2'));
    await cannotJoin(student, '#den2');
    const out = await run(TSX[0]!, [...TSX.slice(1), 'admin', '--data', data, 'mode', '#den2', '-ik'], { cwd: REPO_ROOT });
    assert.match(out.stdout, /#den2 is now \+nt/);
    student.send('JOIN #den2');
    await student.next(/:student!\S+ JOIN #den2/);
    // and what it did is on the console's audit trail
    await eventually(() => /\*\*\* Admin: tincan admin set mode -ik \S* ?on #den2/.test(tmux.screen('srv')), 'the audit line on the console');

    // 3. a second client claims the code, then unlocks with plain MODE
    clients.push(await lockedRoom(port, 'griefer3', '#den3'));
    await cannotJoin(student, '#den3');
    const teacher = await RawClient.connect(port);
    clients.push(teacher);
    await teacher.register('teacher');
    teacher.send('CLAIM ' + code);
    await teacher.waitFor(/ 381 teacher /);
    teacher.send('MODE #den3 -ik');
    await teacher.waitFor(/MODE #den3 -ik/);
    student.send('JOIN #den3');
    await student.next(/:student!\S+ JOIN #den3/);
    // the code was single use
    const late = await RawClient.connect(port);
    clients.push(late);
    await late.register('late');
    late.send('CLAIM ' + code);
    await late.waitFor(/ 464 late :There is no admin code now/);

    // Ctrl-C stops the server (tmux's own hangup would be taken for a reload)
    tmux.keys('srv', 'C-c');
    await eventually(() => !tmux.alive('srv'), 'the server exits on Ctrl-C', 15_000);
  } finally {
    for (const c of clients) c.end();
    // tmux's hangup is a reload to tincan (SIGHUP): a failed run must not leave the server behind
    if (serverPid > 0 && tmux.alive('srv')) {
      try {
        process.kill(serverPid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    tmux.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
