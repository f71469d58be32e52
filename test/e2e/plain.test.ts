/**
 * Plain lines on the IRC port, end to end over real sockets: `tincan serve`'s listener
 * (first-bytes detection on) with a raw Node socket standing in for netcat / telnet,
 * RawClient IRC users, and the lesson's own Python client script.
 */
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServeHandle } from '../../src/cli/serve.js';
import { RawClient } from '../helpers/raw-client.js';
import { serveInProcess } from '../helpers/serve-inprocess.js';
import { closeText } from '../helpers/codes.js';

const T = { timeout: 15_000 };
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SEED_CLIENT = join(REPO, '..', 'shared', 'lesson', 'seed_client.py');

const handles: ServeHandle[] = [];
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.destroy();
  while (handles.length > 0) await handles.pop()!.close();
});

async function serve(extra: string[] = []): Promise<ServeHandle> {
  // a fresh data directory each time: no chat history carried over between tests
  const data = mkdtempSync(join(tmpdir(), 'tincan-plain-'));
  const h = await serveInProcess({ data: data, extra });
  handles.push(h);
  return h;
}

async function connect(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  clients.push(c);
  return c;
}

/** A plain user that typed `first` (or nothing: a silent listener); resolves with its guest nick once in #lobby. */
async function plainUser(port: number, first?: string | Buffer): Promise<{ c: RawClient; nick: string }> {
  const c = await connect(port);
  if (first !== undefined) c.socket.write(first);
  const welcome = await c.waitFor(/^\* Welcome to tincan/);
  await c.waitFor(/^\* Type a message and press Enter/);
  const nick = /You are (\S+)\.$/.exec(welcome)![1]!;
  return { c, nick };
}

async function ircUser(port: number, nick: string, channel = '#lobby'): Promise<RawClient> {
  const c = await connect(port);
  await c.register(nick);
  c.send(`JOIN ${channel}`);
  await c.waitFor(new RegExp(` 366 ${nick} ${channel} `));
  return c;
}

const RAW_IRC = /^(:\S+ )?([A-Z]+|\d{3}) /;
function assertNoRawIrc(c: RawClient): void {
  for (const l of c.lines) assert.doesNotMatch(l, RAW_IRC, `plain user saw a raw IRC line: ${l}`);
}

test('a silent listener receives what a plain user and an IRC user say in #lobby', T, async () => {
  const h = await serve();
  const listener = await plainUser(h.port); // sends nothing, like `nc HOST 4444`
  assert.match(listener.c.lines.join('\n'), /You are in #lobby/);
  const bob = await ircUser(h.port, 'bob');
  await listener.c.waitFor(/^\* bob joined #lobby$/);

  const talker = await plainUser(h.port, 'hello from netcat\n');
  await listener.c.waitFor(new RegExp(`^\\[\\d\\d:\\d\\d\\] <${talker.nick}> hello from netcat$`));
  bob.send('PRIVMSG #lobby :hi from irc');
  await listener.c.waitFor(/^\[\d\d:\d\d\] <bob> hi from irc$/);
  await talker.c.waitFor(/^\[\d\d:\d\d\] <bob> hi from irc$/);
  // the IRC user got the plain user's message as ordinary IRC
  await bob.waitFor(new RegExp(`^:${talker.nick}!~guest@127\\.0\\.0\\.1 PRIVMSG #lobby :hello from netcat$`));
  assertNoRawIrc(listener.c);
  assertNoRawIrc(talker.c);
});

test('a silent socket (nc that never types, a browser preconnect) adds no one to the room until it types', T, async () => {
  const h = await serve();
  const bob = await ircUser(h.port, 'bob');
  const listener = await plainUser(h.port); // silent past detection, then welcomed
  bob.send('NAMES #lobby');
  const names = await bob.waitFor(/ 366 bob #lobby /);
  const list = bob.lines.filter((l) => / 353 bob = #lobby /.test(l)).join(' ');
  assert.ok(names !== '' && !list.includes(listener.nick), `NAMES showed the silent guest: ${list}`);
  assert.ok(!bob.lines.some((l) => l.includes(`${listener.nick}!`)), 'no JOIN was shown for it');
  listener.c.socket.write('hi all\n');
  await bob.waitFor(new RegExp(`^:${listener.nick}!\\S+ JOIN #lobby$`));
  await bob.waitFor(new RegExp(`^:${listener.nick}!\\S+ PRIVMSG #lobby :hi all$`));
});

test("the lesson's client script gets a readable reply and its message reaches #lobby", T, async (t) => {
  if (!existsSync(SEED_CLIENT)) return t.skip(`${SEED_CLIENT} not found (../shared is absent)`);
  if (spawnSync('python3', ['--version']).status !== 0) return t.skip('python3 is not installed');
  const h = await serve();
  const bob = await ircUser(h.port, 'bob');
  const plain = await plainUser(h.port);

  const py = spawn('python3', [SEED_CLIENT, '127.0.0.1', String(h.port), '8'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  py.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  py.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const [code] = (await once(py, 'exit')) as [number];
  assert.equal(code, 0, out);
  assert.match(out, /^Received: b'\* Welcome to tincan on test\.local! You are guest\d+\.\\r\\n/);
  assert.match(out, /You are in #lobby with /);

  const line = await bob.waitFor(/ PRIVMSG #lobby :Your message$/);
  const guest = /^:(guest\d+)!/.exec(line)![1]!;
  await plain.c.waitFor(new RegExp(`^\\[\\d\\d:\\d\\d\\] <${guest}> Your message$`));
  // the message came before the goodbye
  const quit = await bob.waitFor(new RegExp(`^:${guest}!\\S+ QUIT `));
  assert.ok(bob.lines.indexOf(line) < bob.lines.indexOf(quit));
});

test('/nick, /join, /msg, /me and typed lines become IRC; errors are plain language', T, async () => {
  const h = await serve();
  const bob = await ircUser(h.port, 'bob');
  const { c } = await plainUser(h.port);

  c.send('/nick bob');
  await c.waitFor(/^! The name bob is already taken; try another one\.$/);
  c.send('/nick alice');
  await c.waitFor(/^\* You are now known as alice$/);
  await bob.waitFor(/^:guest\d+!\S+ NICK :?alice$/);

  c.send('/msg bob psst');
  await bob.waitFor(/^:alice!~guest@\S+ PRIVMSG bob :?psst$/);
  await c.waitFor(/^\[\d\d:\d\d\] -> bob: psst$/);
  c.send('/msg nobody hello?');
  await c.waitFor(/^! There is no one called nobody here\.$/);

  bob.send('PRIVMSG alice :hello alice');
  await c.waitFor(/^\[\d\d:\d\d\] \*bob\* hello alice$/);

  bob.send('JOIN #games');
  await bob.waitFor(/ 366 bob #games /);
  c.send('/join games');
  await c.waitFor(/^\* You are in #games with bob \(2 people here\)\.$/);
  await bob.waitFor(/^:alice!\S+ JOIN :?#games$/);
  c.send('gg everyone');
  await bob.waitFor(/^:alice!\S+ PRIVMSG #games :gg everyone$/);
  c.send('/me waves');
  await bob.waitFor(/^:alice!\S+ PRIVMSG #games :\x01ACTION waves\x01$/);
  bob.send('PRIVMSG #lobby :back in the lobby');
  await c.waitFor(/^\[\d\d:\d\d\] #lobby <bob> back in the lobby$/);

  c.send('/part');
  await c.waitFor(/^\* You left #games$/);
  await c.waitFor(/^\* Now talking in #lobby\.$/);
  c.send('/who');
  await c.waitFor(/^\* In #lobby: .*\balice\b.*\(2 people\)$/);
  c.send('/rooms');
  await c.waitFor(/^\*   #lobby \(2 people\)/);
  c.send('/topic snacks at 3');
  await c.waitFor(/^! You need to be an operator of #lobby to do that\.$/);
  bob.send('MODE #lobby +o alice');
  await c.waitFor(/^\* bob set mode \+o alice on #lobby$/);
  c.send('/topic snacks at 3');
  await bob.waitFor(/^:alice!\S+ TOPIC #lobby :snacks at 3$/);
  await c.waitFor(/^\* alice changed the topic of #lobby to: snacks at 3$/);
  c.send('/frobnicate');
  await c.waitFor(/^! Unknown command \/frobnicate\. Type \/help for the list\.$/);
  c.send('/help');
  await c.waitFor(/^\*   \/msg NAME text/);
  c.send('/quit see you');
  await bob.waitFor(/^:alice!\S+ QUIT :Quit: see you$/);
  await c.closed;
  assertNoRawIrc(c);
});

test('telnet negotiation is stripped, CR / LF / CRLF all end lines, invalid UTF-8 is replaced', T, async () => {
  const h = await serve();
  const bob = await ircUser(h.port, 'bob');
  const c = await connect(h.port);
  // what a telnet client may send first: IAC DO ECHO, IAC WILL NAWS, IAC SB NAWS 0 80 0 24 IAC SE
  c.socket.write(Buffer.from([255, 253, 1, 255, 251, 31, 255, 250, 31, 0, 80, 0, 24, 255, 240]));
  await c.waitFor(/^\* Type a message and press Enter/);
  // a negotiation split across writes, inside text
  c.socket.write(Buffer.concat([Buffer.from('tel'), Buffer.from([255])]));
  await new Promise((r) => setTimeout(r, 20));
  c.socket.write(Buffer.concat([Buffer.from([251]), Buffer.from([24]), Buffer.from('net line\r\n')]));
  await bob.waitFor(/PRIVMSG #lobby :telnet line$/);
  c.socket.write('cr only\rlf only\ncrlf\r\n');
  await bob.waitFor(/PRIVMSG #lobby :cr only$/);
  await bob.waitFor(/PRIVMSG #lobby :lf only$/);
  await bob.waitFor(/PRIVMSG #lobby :?crlf$/);
  c.socket.write(Buffer.concat([Buffer.from('caf'), Buffer.from([0xc3, 0x28]), Buffer.from(' ok\n')]));
  await bob.waitFor(/PRIVMSG #lobby :caf\uFFFD\( ok$/);
  assert.ok(!bob.lines.some((l) => /[\xff\u00fb]/.test(l)), 'no telnet bytes reached IRC');
});

test('a message without a newline is sent after a short pause, and at close before the quit', T, async () => {
  const h = await serve();
  const bob = await ircUser(h.port, 'bob');
  const { c, nick } = await plainUser(h.port);
  const sentAt = Date.now();
  c.socket.write('no newline here');
  await bob.waitFor(/PRIVMSG #lobby :no newline here$/);
  assert.ok(Date.now() - sentAt < 3000, 'flushed after a pause, not held');

  c.socket.end('last words');
  const msg = await bob.waitFor(/PRIVMSG #lobby :last words$/);
  const quit = await bob.waitFor(new RegExp(`^:${nick}!\\S+ QUIT `));
  assert.ok(bob.lines.indexOf(msg) < bob.lines.indexOf(quit), 'message delivered before the quit');
});

test('an IRC client sees plain users as ordinary users: NAMES, WHO, WHOIS, private messages, KICK', T, async () => {
  const h = await serve();
  const op = await ircUser(h.port, 'op', '#lobby'); // first in: channel operator
  const { c, nick } = await plainUser(h.port, '\n'); // pressed Enter: a person, not a silent socket
  await op.waitFor(new RegExp(`^:${nick}!~guest@127\\.0\\.0\\.1 JOIN :?#lobby$`));
  op.send('NAMES #lobby');
  await op.waitFor(new RegExp(` 353 op = #lobby :.*\\b${nick}\\b`));
  op.send(`WHO ${nick}`);
  await op.waitFor(new RegExp(` 352 op #lobby ~guest 127\\.0\\.0\\.1 test\\.local ${nick} H :0 plain text user$`));
  op.send(`WHOIS ${nick}`);
  await op.waitFor(new RegExp(` 311 op ${nick} ~guest 127\\.0\\.0\\.1 \\* :plain text user$`));

  op.send(`PRIVMSG ${nick} :hi there`);
  await c.waitFor(/^\[\d\d:\d\d\] \*op\* hi there$/);
  await c.waitFor(/^\* \(that was a private message; answer with \/msg op your text\)$/);
  op.send(`PRIVMSG ${nick} :\x01VERSION\x01`);
  await op.waitFor(new RegExp(`^:${nick}!\\S+ NOTICE op :\\x01VERSION tincan plain-text connection`));
  op.send('TOPIC #lobby :be nice');
  await c.waitFor(/^\* op changed the topic of #lobby to: be nice$/);
  op.send(`KICK #lobby ${nick} :no reason`);
  await c.waitFor(/^\* op kicked you from #lobby \(no reason\)$/);
  await c.waitFor(/^\* You are not in any room now\. \/join #lobby to come back\.$/);
  c.send('anyone?');
  await c.waitFor(/^! You are not in a room\./);
  assertNoRawIrc(c);
});

test('IRC formatting and terminal escape sequences never reach a plain user', T, async () => {
  const h = await serve();
  const bob = await ircUser(h.port, 'bob');
  const { c } = await plainUser(h.port);
  bob.send('PRIVMSG #lobby :\x02bold\x02 \x0304,01red\x03 \x1b[2Jcleared?\x07');
  const got = await c.waitFor(/<bob> bold/);
  assert.match(got, /<bob> bold red \[2Jcleared\?$/);
  assert.ok(!c.lines.some((l) => /[\x00-\x08\x0b-\x1f\x7f]/.test(l)));
});

test('plain users are under the same flood control as IRC users', T, async () => {
  const h = await serve();
  const { c } = await plainUser(h.port);
  // 200 lines at once: over the burst (20) and the queue (100)
  c.socket.write(Array.from({ length: 200 }, (_, i) => `spam ${i}`).join('\n') + '\n');
  await c.waitFor(new RegExp(`^\\* Disconnected: ${closeText('TINCAN_ERR_FLOOD')}$`));
  await c.closed;
});

test('IRC and HTTP are told apart from plain text; a broken TLS hello gets a TLS alert', T, async () => {
  const h = await serve();
  // IRC starting with CAP
  const irc = await connect(h.port);
  irc.send('CAP LS 302');
  await irc.waitFor(/^:test\.local CAP \* LS /);

  // HTTP
  const res = await fetch(`http://127.0.0.1:${h.port}/`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(await res.text(), /<title>tincan<\/title>|tincan is running/);
  assert.equal((await fetch(`http://127.0.0.1:${h.port}/nope`)).status, 404);

  // a malformed TLS ClientHello goes to the TLS layer: a TLS alert, then the connection closes
  // (working TLS is in tls.test.ts)
  const s = net.connect(h.port, '127.0.0.1');
  await once(s, 'connect');
  s.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00]));
  const chunks: Buffer[] = [];
  s.on('data', (d: Buffer) => chunks.push(d));
  await once(s, 'close');
  const got = Buffer.concat(chunks);
  assert.equal(got[0], 0x15, `an alert record, got ${got.toString('hex')}`);
  assert.equal(got[5], 0x02, 'a fatal alert');
});
