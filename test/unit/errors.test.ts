// The code table (src/errors.ts): what users see per code, docs/errors.md in step, codes in logs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import pino from 'pino';
import { CLOSE_REASONS, STARTUP_ERRORS, closeText, closingLine } from '../../src/errors.js';
import { IrcServer } from '../../src/core/server.js';
import { makeConfig } from '../helpers/harness.js';
import { FakeConnection } from '../helpers/fake-conn.js';

test('the user-facing texts are exactly what users have always seen', () => {
  // the one place the wording is pinned; every other test asserts the code
  const seen = Object.fromEntries(Object.keys(CLOSE_REASONS).map((code) => [code, closeText(code as keyof typeof CLOSE_REASONS, 'X')]));
  assert.deepEqual(seen, {
    TINCAN_ERR_FLOOD: 'Excess Flood',
    TINCAN_ERR_SENDQ: 'SendQ exceeded',
    TINCAN_ERR_PREREG_LINES: 'Too many lines before registration',
    TINCAN_ERR_REG_TIMEOUT: 'Registration timeout',
    TINCAN_ERR_PING_TIMEOUT: 'Ping timeout: X seconds',
    TINCAN_ERR_BAD_PASSWORD: 'Bad password',
    TINCAN_ERR_BANNED: 'Banned from this server (X)',
    TINCAN_ERR_KILLED: 'Killed (X)',
    TINCAN_ERR_SHUTDOWN: 'X',
    TINCAN_ERR_INTERNAL: 'Internal server error',
    TINCAN_ERR_HANDOFF: 'internal error',
    TINCAN_ERR_NOT_LOCAL: 'tincan only accepts connections from the local network; start the server with --public to allow others',
    TINCAN_ERR_TOO_MANY: 'Too many connections from your address',
    TINCAN_ERR_TOKEN_REVOKED: 'Device token revoked: log in again',
    TINCAN_ERR_SERVER_FULL: 'Server is full',
    TINCAN_ERR_SILENT_TOO_MANY:
      '* tincan: X connections from your address are already open without typing anything; closing this one. Type something in one of them, or close some.',
    TINCAN_ERR_SILENT_IDLE: '* tincan: this connection has been open for X without sending anything, so it is being closed. Connect again any time.',
  });
  assert.equal(closeText('TINCAN_ERR_SHUTDOWN'), 'Server shutting down');
  assert.equal(closingLine('10.0.0.5', 'TINCAN_ERR_FLOOD'), 'ERROR :Closing link: 10.0.0.5 (Excess Flood)');
  assert.equal(closingLine('', 'TINCAN_ERR_SHUTDOWN'), 'ERROR :Closing link: (Server shutting down)');
});

test('docs/errors.md lists every code, and only those', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const documented = new Set(doc.match(/TINCAN_ERR_[A-Z0-9_]+/g));
  const codes = [...Object.keys(CLOSE_REASONS), ...Object.keys(STARTUP_ERRORS)];
  for (const code of codes) assert.ok(documented.has(code), `${code} is in docs/errors.md`);
  for (const code of documented) assert.ok(codes.includes(code), `${code} in docs/errors.md is a real code`);
});

test('a server-side disconnect is logged with its code', async () => {
  const records: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') records.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const clock = { now: 1_700_000_000_000 };
  const server = new IrcServer(makeConfig(), pino({ level: 'info' }, sink), { now: () => clock.now, tickMs: 3_600_000 });
  const c = new FakeConnection();
  server.accept(c);
  c.recv('NICK slow');
  clock.now += 61_000;
  server.housekeeping();
  assert.equal(c.closeLine, closingLine('127.0.0.1', 'TINCAN_ERR_REG_TIMEOUT'));
  const rec = records.find((r) => r['msg'] === 'disconnecting');
  assert.ok(rec, `logged: ${JSON.stringify(records)}`);
  assert.equal(rec['code'], 'TINCAN_ERR_REG_TIMEOUT');
  assert.equal(rec['reason'], 'Registration timeout');
  await server.shutdown();
});
