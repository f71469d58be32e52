/**
 * One account from two client types at once over real sockets: irc-framework and a raw
 * client both log in to alice with SASL PLAIN and see one conversation; bob sees one user.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'irc-framework';
import { RawClient } from '../helpers/raw-client.js';
import { serveInProcess } from '../helpers/serve-inprocess.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const PW = 'correct horse battery';

type Ev = Record<string, unknown>;
function waitEvent(c: Client, event: string, pred: (e: Ev) => boolean, ms = 8000): Promise<Ev> {
  return new Promise((resolve, reject) => {
    const h = (e: Ev): void => {
      if (!pred(e)) return;
      clearTimeout(t);
      c.off(event, h);
      resolve(e);
    };
    const t = setTimeout(() => {
      c.off(event, h);
      reject(new Error(`timed out waiting for ${event}`));
    }, ms);
    c.on(event, h);
  });
}

async function rawSasl(port: number, nick: string): Promise<RawClient> {
  const r = await RawClient.connect(port);
  await r.saslRegister(nick, 'alice', PW);
  return r;
}

test('irc-framework and a raw client logged in to one account: one nick, one channel list, one conversation', { timeout: 60000 }, async () => {
  const data = mkdtempSync(join(tmpdir(), 'tincan-multi-e2e-'));
  dirs.push(data);
  const h = await serveInProcess({ data, config: { tls: { enabled: false }, flood: { enabled: false } } });
  try {
    const reg = await RawClient.connect(h.port);
    await reg.register('alice');
    reg.send(`REGISTER * * :${PW}`);
    await reg.waitFor(/ REGISTER SUCCESS alice /);
    reg.send('QUIT');
    await reg.closed;

    const bob = await RawClient.connect(h.port);
    await bob.register('bob');
    bob.send('JOIN #room');
    await bob.waitFor(/ 366 bob #room /);

    // the laptop: irc-framework with SASL
    const fw = new Client({ auto_reconnect: false });
    const registered = waitEvent(fw, 'registered', () => true);
    fw.connect({ host: '127.0.0.1', port: h.port, nick: 'alice', username: 'laptop', gecos: 'laptop', auto_reconnect: false, account: { account: 'alice', password: PW } } as never);
    await registered;
    const joined = waitEvent(fw, 'join', (e) => e['channel'] === '#room');
    fw.join('#room');
    await joined;
    await bob.waitFor(/:alice!~laptop@127\.0\.0\.1 JOIN #room/);

    // the phone: a raw client, connecting under another nick, ends up as alice in #room
    const phone = await rawSasl(h.port, 'phone');
    await phone.waitFor(/ 001 alice /);
    await phone.waitFor(/:alice!~phone@127\.0\.0\.1 JOIN #room/);
    await phone.waitFor(/ 353 alice = #room :@?alice @?bob|:@?bob @?alice/);
    bob.send('NAMES #room');
    const names = await bob.next(/ 353 bob = #room /);
    assert.equal(names.split(':').pop()!.trim().split(' ').filter((n) => n.replace(/^@/, '') === 'alice').length, 1, names);

    // bob writes to alice: both sessions get it
    const fwGot = waitEvent(fw, 'privmsg', (e) => e['message'] === 'are you there?');
    bob.send('PRIVMSG alice :are you there?');
    await phone.waitFor(/:bob!~bob@127\.0\.0\.1 PRIVMSG alice :are you there\?/);
    await fwGot;

    // the phone answers: the laptop sees the answer too (from its own nick, to bob)
    const fwEcho = waitEvent(fw, 'privmsg', (e) => e['message'] === 'on my phone');
    phone.send('PRIVMSG bob :on my phone');
    await bob.waitFor(/:alice!~phone@127\.0\.0\.1 PRIVMSG bob :on my phone/);
    const echo = await fwEcho;
    assert.equal(echo['nick'], 'alice');
    assert.equal(echo['target'], 'bob');

    // the laptop talks in the room: the phone sees it
    fw.say('#room', 'from the laptop');
    await phone.waitFor(/:alice!~laptop@127\.0\.0\.1 PRIVMSG #room :from the laptop/);
    await bob.waitFor(/PRIVMSG #room :from the laptop/);

    // the laptop leaves: bob sees no QUIT; the phone still gets alice's messages
    const bobMark = bob.lines.length;
    fw.quit('laptop closed');
    await new Promise((r) => fw.once('close', r));
    bob.send('PRIVMSG alice :still?');
    await phone.waitFor(/PRIVMSG alice :?still\?/);
    bob.send('WHOIS alice');
    await bob.next(/ 311 bob alice ~phone /);
    assert.ok(!bob.lines.slice(bobMark).some((l) => / QUIT /.test(l)), bob.lines.slice(bobMark).join('\n'));

    // the last session leaves: now bob sees the QUIT
    phone.send('QUIT :bye');
    await bob.waitFor(/:alice!~phone@127\.0\.0\.1 QUIT :Quit: bye/);
    bob.end();
  } finally {
    await h.close();
  }
});
