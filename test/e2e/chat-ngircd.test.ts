/**
 * `tincan chat` is an IRC client, not only a tincan client: against Debian's ngIRCd
 * (started here in the foreground with a temporary config on a free port) two clients
 * register, join a room, talk there and in private, and see no raw protocol.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tmux, eventually, haveCommand } from '../helpers/tmux.js';
import { chatCommand, dump, freePort, inputLine } from './chat-helpers.js';

const NGIRCD = ['/usr/sbin/ngircd', '/usr/bin/ngircd'].find((p) => existsSync(p));
const skip = !NGIRCD ? 'ngIRCd is needed (apt-get install ngircd)' : !haveCommand('tmux') ? 'tmux is needed (apt-get install tmux)' : false;

let tmux: Tmux;
let dir = '';
let ngircd: ChildProcess | null = null;
let log = '';

before(async () => {
  if (skip) return;
  const port = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'tincan-ngircd-'));
  const conf = join(dir, 'ngircd.conf');
  writeFileSync(
    conf,
    `[Global]
Name = irc.ngircd.test
Info = tincan chat test
Listen = 127.0.0.1
Ports = ${port}
MotdPhrase = "welcome to ngircd"
[Limits]
MaxNickLength = 16
[Options]
PAM = no
Ident = no
DNS = no
`,
  );
  ngircd = spawn(NGIRCD!, ['-n', '-f', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  ngircd.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  ngircd.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  await eventually(() => /Now listening on/.test(log), 'ngircd to listen', 10000);
  tmux = new Tmux();
  for (const nick of ['nga', 'ngb']) tmux.start(nick, chatCommand(`127.0.0.1:${port} --nick ${nick}`), { TERM: 'xterm-256color' }, 100, 24);
});

after(async () => {
  if (skip) return;
  tmux.kill();
  ngircd?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

test('against ngIRCd: joins, chats in a room and in private', { skip, timeout: 28000 }, async (t) => {
  t.after(() => {
    if (process.env['TINCAN_TEST_DUMP']) console.log(dump(tmux, 'nga', 'ngb'), log);
  });
  await eventually(() => /Connected to 127\.0\.0\.1:\d+ as nga/.test(tmux.screen('nga')) && /Connected to .* as ngb/.test(tmux.screen('ngb')), 'both register with ngIRCd', 15000);
  assert.match(tmux.screen('nga'), /welcome to ngircd/, 'MOTD shown as text');
  tmux.type('nga', '/join #ng');
  await eventually(() => /You joined #ng/.test(tmux.screen('nga')), 'nga joined #ng');
  tmux.type('ngb', '/join #ng');
  await eventually(() => /ngb joined #ng/.test(tmux.screen('nga')) && inputLine(tmux.screen('ngb')) === '[#ng]', 'ngb joined; nga sees it');
  await eventually(() => /2 people here: @nga ngb/.test(tmux.screen('ngb')), 'NAMES with the operator prefix');

  tmux.type('nga', 'hello over ngircd');
  await eventually(() => /<nga> hello over ngircd/.test(tmux.screen('ngb')), 'ngb sees the room message');
  // without echo-message the client shows its own line itself
  await eventually(() => /<nga> hello over ngircd/.test(tmux.screen('nga')), 'nga sees her own line');
  tmux.type('ngb', '/msg nga private hello');
  await eventually(() => /3:ngb\(1,1!\)/.test(tmux.screen('nga')), 'nga is told about the private message');
  tmux.keys('nga', 'M-3');
  await eventually(() => /<ngb> private hello/.test(tmux.screen('nga')), 'nga reads it in the query window');
  tmux.type('nga', '/whois ngb');
  await eventually(() => /ngb is ~?ngb@127\.0\.0\.1/.test(tmux.screen('nga')), 'WHOIS shown readably');
  // history and search degrade with a clear message where the server lacks them
  tmux.type('nga', '/history 5');
  await eventually(() => /does not offer history/.test(tmux.screen('nga')), '/history explains it is not offered');
  tmux.type('nga', '/search hello');
  await eventually(() => /does not offer search/.test(tmux.screen('nga')), '/search explains it is not offered');
  assert.doesNotMatch(tmux.screen('nga') + tmux.screen('ngb'), /PRIVMSG|NOTICE \S|:\S+!\S+@|^\S+ 3\d\d /m, 'no raw IRC on screen');
});
