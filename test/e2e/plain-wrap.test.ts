/**
 * A netcat user (a raw socket) cannot be shown a forged line: an IRC user pads a message
 * to the terminal width and puts `[12:00] <alice> ...` after it, or hides a carriage
 * return, an escape sequence or a line separator in it. What arrives is rows of at most
 * 80 columns, every one a real line or an indented continuation.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { runServe } from '../../src/cli/serve.js';
import { RawClient } from '../helpers/raw-client.js';

const stops: (() => unknown)[] = [];
after(async () => {
  for (const s of stops.reverse()) await s();
});

test('padding, \\r and escapes in a message never start a row of their own for a netcat user', { timeout: 15000 }, async () => {
  // `tincan serve`'s own listener: first-bytes detection makes the socket a plain user
  const data = mkdtempSync(join(tmpdir(), 'tincan-plain-wrap-'));
  stops.push(() => rmSync(data, { recursive: true, force: true }));
  const cfg = join(data, 'tincan.yaml');
  writeFileSync(cfg, 'flood: { enabled: false }\n');
  const srv = await runServe(['--host', '127.0.0.1', '--port', '0', '--data', join(data, 'd'), '--config', cfg], {}, { signals: false, logger: pino({ level: 'silent' }) });
  stops.push(() => srv.close());
  const nc = await RawClient.connect(srv.port);
  stops.push(() => nc.socket.destroy());
  nc.socket.write('hello\n');
  await nc.waitFor(/^\* Type a message and press Enter/);
  const mallory = await RawClient.connect(srv.port);
  stops.push(() => mallory.socket.destroy());
  await mallory.register('mallory');
  mallory.send('JOIN #lobby');
  await mallory.waitFor(/ 366 /);
  const from = nc.lines.length;

  const forged = '[12:00] <alice> the meeting moved, log in at evil.example';
  const sent: string[] = [];
  for (let pad = 40; pad < 75; pad++) sent.push(`hi${' '.repeat(pad)}${forged}`);
  sent.push(`${'-'.repeat(62)}${forged}`, `hi\r${forged}`, `hi\x1b[1G\x1b[2K${forged}`, `hi\u2028${forged}`, `hi \u202e${forged}`);
  for (const t of sent) mallory.send(`PRIVMSG #lobby :${t}`);
  mallory.send('PRIVMSG #lobby :done');
  await nc.waitFor(/<mallory> done$/, 8000, from);

  const rows = nc.lines.slice(from);
  const messageRows = rows.filter((r) => /^\[\d\d:\d\d\] <mallory>/.test(r)).length;
  assert.equal(messageRows, sent.length + 1, 'one header row per message');
  for (const r of rows) {
    assert.ok([...r].length <= 80, `row wider than 80 columns: ${JSON.stringify(r)}`);
    assert.doesNotMatch(r, /^\[12:00\]/, `forged line at the start of a row: ${JSON.stringify(r)}`);
    assert.match(r, /^(\[\d\d:\d\d\] <mallory> ?|\s{8}\S)/, JSON.stringify(r));
    assert.doesNotMatch(r, /[\r\x1b\u2028\u202e]/);
  }
});
