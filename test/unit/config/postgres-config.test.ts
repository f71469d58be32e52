// The postgres config section (src/config/schema.ts) and its cross-check with storage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../../../src/config/schema.js';

test('storage: postgres needs postgres.url, a postgres:// URL; the pool and timeouts are bounded', () => {
  assert.equal(validateConfig({ storage: 'postgres', postgres: { url: 'postgres://u@h/db' } }).postgres.url, 'postgres://u@h/db');
  assert.deepEqual(validateConfig({}).postgres, { url: null, poolMax: 10, statementTimeoutMs: 10_000, connectTimeoutMs: 5000 });
  assert.throws(() => validateConfig({ storage: 'postgres' }), /postgres\.url: expected a postgres:\/\/user:password@host:port\/database URL with storage: postgres/);
  assert.throws(() => validateConfig({ postgres: { url: 'mysql://h/db' } }), /postgres\.url: expected a postgres:\/\/user:password@host:port\/database URL, or null/);
  assert.throws(() => validateConfig({ postgres: { poolMax: 0 } }), /postgres\.poolMax: expected an integer from 1 to 1000/);
  assert.throws(() => validateConfig({ postgres: { statementTimeoutMs: 5 } }), /postgres\.statementTimeoutMs: expected an integer from 100/);
});
