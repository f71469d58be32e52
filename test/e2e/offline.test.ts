/**
 * Messages wait, over real sockets and a real `tincan serve`: bob (irc-framework, SASL)
 * writes to alice while she is offline and is told it will be delivered; the server is
 * killed with SIGKILL and restarted; alice logs in from a raw client and gets the
 * message with its original time, and finds it again in CHATHISTORY with bob.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'irc-framework';
import { spawnServe } from '../helpers/cli-server.js';
import { RawClient } from '../helpers/raw-client.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const PW = 'correct horse battery';

async function registerAccount(port: number, nick: string): Promise<void> {
  const r = await RawClient.connect(port);
  await r.register(nick);
  r.send(`REGISTER * * :${PW}`);
  await r.waitFor(/ REGISTER SUCCESS /, 10000);
  r.send('QUIT');
  await r.closed;
}

test('an offline message survives kill -9 and arrives at the next login from another client type, with its original time', { timeout: 60000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-offline-e2e-'));
  dirs.push(dir);
  const cfg = join(dir, 'tincan.yaml');
  writeFileSync(cfg, 'flood: { enabled: false }\n');
  const args = ['--host', '127.0.0.1', '--port', '0', '--config', cfg, '--data', join(dir, 'data')];
  const first = await spawnServe(args);
  let before = 0;
  let told = 0;
  try {
    await registerAccount(first.port, 'alice');
    await registerAccount(first.port, 'bob');
    const fw = new Client({ auto_reconnect: false });
    const loggedIn = new Promise<void>((resolve) => fw.once('registered', () => resolve()));
    fw.connect({ host: '127.0.0.1', port: first.port, nick: 'bob', username: 'bob', gecos: 'bob', auto_reconnect: false, account: { account: 'bob', password: PW } } as never);
    await loggedIn;
    const notice = new Promise<string>((resolve) => {
      fw.on('notice', (e: { message: string }) => {
        if (/alice is offline/.test(e.message)) resolve(e.message);
      });
    });
    before = Date.now();
    fw.say('alice', 'are you coming tonight?');
    assert.match(await notice, /alice is offline: your message will be delivered when alice next logs in/);
    told = Date.now();
    fw.quit('bye');
  } finally {
    first.proc.kill('SIGKILL');
  }
  await new Promise((r) => first.proc.once('exit', r));
  const second = await spawnServe(args);
  try {
    const r = await RawClient.connect(second.port);
    r.send('CAP LS 302');
    r.send('CAP REQ :sasl server-time batch message-tags draft/chathistory');
    r.send('NICK alice');
    r.send('USER alice 0 * :alice');
    r.send('AUTHENTICATE PLAIN');
    await r.waitFor(/^AUTHENTICATE \+$/);
    r.send('AUTHENTICATE ' + Buffer.from(`\0alice\0${PW}`).toString('base64'));
    await r.waitFor(/ 903 /, 10000);
    r.send('CAP END');
    const open = await r.waitFor(/ BATCH \+\S+ chathistory bob$/, 10000);
    const id = open.split(' ')[2]!.slice(1);
    const line = await r.waitFor(new RegExp(`^@batch=${id};time=[^;]+;msgid=\\S+ :bob!~bob@127\\.0\\.0\\.1 PRIVMSG alice :are you coming tonight\\?$`));
    const time = Date.parse(/time=([^;]+)/.exec(line)![1]!);
    assert.ok(time >= before - 1 && time <= told + 1, `original time ${new Date(time).toISOString()} is when bob sent it`);
    // and it is private history between the two accounts
    r.send('CHATHISTORY LATEST bob * 10');
    const hist = await r.next(/ BATCH \+\S+ chathistory bob$/);
    const hid = hist.split(' ')[2]!.slice(1);
    await r.waitFor(new RegExp(`^@batch=${hid};.* PRIVMSG alice :are you coming tonight\\?$`));
    r.send('QUIT');
    await r.closed;
  } finally {
    second.proc.kill('SIGKILL');
  }
});
