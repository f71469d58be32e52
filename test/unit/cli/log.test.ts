import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/log.js';

function sink() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return { stream, text: () => chunks.join('') };
}

test('JSON lines when not pretty', () => {
  const s = sink();
  const log = createLogger('info', { pretty: false, destination: s.stream, env: {} });
  log.info({ port: 4444 }, 'tincan listening');
  log.debug('hidden');
  const lines = s.text().trim().split('\n');
  assert.equal(lines.length, 1);
  const obj = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(obj['msg'], 'tincan listening');
  assert.equal(obj['port'], 4444);
  assert.equal(obj['level'], 30);
});

test('pretty output is human-readable text', () => {
  const s = sink();
  const log = createLogger('info', { pretty: true, destination: s.stream, env: {} });
  log.warn('careful');
  assert.match(s.text(), /WARN.*careful/);
  assert.throws(() => JSON.parse(s.text()));
});

test('TINCAN_LOG overrides the choice both ways', () => {
  const a = sink();
  createLogger('info', { pretty: true, destination: a.stream, env: { TINCAN_LOG: 'json' } }).info('x');
  assert.equal((JSON.parse(a.text()) as { msg: string }).msg, 'x');
  const b = sink();
  createLogger('info', { pretty: false, destination: b.stream, env: { TINCAN_LOG: 'pretty' } }).info('y');
  assert.match(b.text(), /INFO.*y/);
});
