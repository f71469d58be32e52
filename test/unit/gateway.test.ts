// The gateway picks the dialect for a detected connection (transports import none).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plainDialect } from '../../src/gateway.js';
import { PlainConnection, PARTIAL_FLUSH_MS } from '../../src/dialects/plain.js';
import { makeConfig } from '../helpers/harness.js';
import { FakeConnection } from '../helpers/fake-conn.js';

test('plain text gets the plain dialect over telnet-filtered, partial-flushing framing', () => {
  const config = makeConfig();
  const d = plainDialect(() => config);
  const framing = d.framing();
  assert.equal(framing.flushPartialAfterMs, PARTIAL_FLUSH_MS);
  // telnet negotiation (IAC WILL ECHO) is stripped, text passes
  assert.equal(framing.inputFilter?.(Buffer.from([0xff, 0xfb, 0x01, 0x68, 0x69])).toString(), 'hi');
  assert.notEqual(d.framing().inputFilter, framing.inputFilter, 'a filter per connection (it keeps state)');
  const inner = new FakeConnection();
  const quiet = d.wrap(inner, { lurking: true });
  assert.ok(quiet instanceof PlainConnection);
  assert.equal(quiet.lurking, true);
  assert.equal(d.wrap(new FakeConnection(), { lurking: false }).lurking, false);
});
