/**
 * MONITOR with a real client over real sockets: irc-framework watches alice (addMonitor)
 * and hears her come online with her first session (a raw client), stay online while a
 * second one comes and goes, and go offline with the last.
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

async function rawSasl(port: number, nick: string): Promise<RawClient> {
  const r = await RawClient.connect(port);
  await r.saslRegister(nick, 'alice', PW);
  return r;
}

test('irc-framework MONITOR: online with the first session of an account, offline with the last', { timeout: 60000 }, async () => {
  const data = mkdtempSync(join(tmpdir(), 'tincan-monitor-e2e-'));
  dirs.push(data);
  const h = await serveInProcess({ data, config: { tls: { enabled: false }, flood: { enabled: false } } });
  try {
    const reg = await RawClient.connect(h.port);
    await reg.register('alice');
    reg.send(`REGISTER * * :${PW}`);
    await reg.waitFor(/ REGISTER SUCCESS alice /);
    reg.send('QUIT');
    await reg.closed;

    const fw = new Client({ auto_reconnect: false });
    const events: string[] = [];
    fw.on('users online', (e: { nicks: string[] }) => events.push('online ' + e.nicks.join(',')));
    fw.on('users offline', (e: { nicks: string[] }) => events.push('offline ' + e.nicks.join(',')));
    const registered = new Promise<void>((r) => fw.once('registered', () => r()));
    fw.connect({ host: '127.0.0.1', port: h.port, nick: 'watcher', username: 'w', gecos: 'w', auto_reconnect: false } as never);
    await registered;
    const waitEvents = async (n: number): Promise<void> => {
      const end = Date.now() + 8000;
      while (events.length < n) {
        if (Date.now() > end) throw new Error('events so far: ' + events.join(' | '));
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    fw.addMonitor('alice');
    await waitEvents(1);
    assert.deepEqual(events, ['offline alice']);
    const laptop = await rawSasl(h.port, 'alice');
    await waitEvents(2);
    assert.equal(events[1], 'online alice');
    const phone = await rawSasl(h.port, 'phone');
    phone.send('QUIT');
    await phone.closed;
    // a marker line: everything the server sent before it has arrived
    const listed = new Promise<string[]>((r) => fw.monitorlist((e: { nicks: string[] }) => r(e.nicks)));
    assert.deepEqual(await listed, ['alice']);
    assert.equal(events.length, 2, 'a second session coming and going is not news: ' + events.join(' | '));
    laptop.send('QUIT');
    await waitEvents(3);
    assert.equal(events[2], 'offline alice');
    fw.quit();
  } finally {
    await h.close();
  }
});
