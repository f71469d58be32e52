// The join card carries the one-time admin code; `tincan serve` with stdin not a TTY
// (services, tests) starts no console and never reads stdin, and says so on the card.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { joinCard } from '../../../src/discovery/join-card.js';
import { runServe } from '../../../src/cli/serve.js';
import { RawClient } from '../../helpers/raw-client.js';

test('the card shows the code and how to use it in each kind of client', () => {
  const card = joinCard({ addresses: ['10.0.0.2'], port: 4444, channel: '#lobby', qr: null, admin: { code: 'ABCDE-FGH12', minutes: 60, console: true } });
  assert.match(card, /this terminal takes admin commands \(type \/help\)/);
  assert.match(card, /\/admin ABCDE-FGH12 .*\/quote CLAIM ABCDE-FGH12, or \/oper admin ABCDE-FGH12/);
  assert.match(card, /works once, within 60 minutes/);
  assert.doesNotMatch(joinCard({ addresses: ['10.0.0.2'], port: 4444, channel: '#lobby', qr: null }), /admin/i);
});

test('serve prints a working code; with stdin not a TTY there is no console and stdin is not read', async () => {
  assert.notEqual(process.stdin.isTTY, true, 'this test needs stdin not to be a terminal');
  const data = mkdtempSync(join(tmpdir(), 'tincan-card-'));
  let printed = '';
  const listenersBefore = process.stdin.listenerCount('data');
  const h = await runServe(['--host', '127.0.0.1', '--port', '0', '--data', data, '--no-mdns', '--name', 'test.local'], {}, { signals: false, announce: true, print: (t) => (printed += t), logger: pino({ level: 'silent' }) });
  try {
    assert.match(printed, /You are the admin: admin commands go through/);
    assert.doesNotMatch(printed, /this terminal takes admin commands/);
    assert.equal(process.stdin.listenerCount('data'), listenersBefore, 'nobody reads stdin');
    const code = /\/admin ([0-9A-Z]{5}-[0-9A-Z]{5})/.exec(printed)![1]!;
    const c = await RawClient.connect(h.port);
    await c.register('host');
    c.send('CLAIM ' + code);
    await c.waitFor(/ 381 host /);
    c.end();
  } finally {
    await h.close();
    rmSync(data, { recursive: true, force: true });
  }
});
