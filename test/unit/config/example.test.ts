/** The documented example config must stay loadable and mean what it says. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../../src/config/load.js';
import { DEFAULT_CONFIG } from '../../../src/config/schema.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/tincan.yaml', import.meta.url));

test('examples/tincan.yaml loads and sets what its comments say', () => {
  const c = loadConfig({ file: EXAMPLE, flags: {} });
  assert.equal(c.serverName, 'tincan.local');
  assert.equal(c.operators[0]?.name, 'teacher');
  assert.deepEqual(c.operators[0]?.hosts, ['*!*@192.168.*']);
  assert.equal(c.public, false);
  assert.deepEqual(c.limits, DEFAULT_CONFIG.limits, 'the example documents the default limits');
  assert.deepEqual(c.flood, DEFAULT_CONFIG.flood, 'the example documents the default flood settings');
  assert.deepEqual(c.history, DEFAULT_CONFIG.history, 'the example documents the default history settings');
  assert.equal(c.storage, 'sqlite');
});
