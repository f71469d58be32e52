// The `files` config section: defaults, bounds and the "expected ..." messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, validateConfig } from '../../../src/config/schema.js';

test('files defaults: on, 25 MiB a file, 200 MiB per address, 2 GiB in all, an hour kept, 30 days', () => {
  const f = DEFAULT_CONFIG.files;
  assert.equal(f.enabled, true);
  assert.equal(f.maxFileBytes, 25 * 1024 * 1024);
  assert.equal(f.quotaBytes, 200 * 1024 * 1024);
  assert.equal(f.budgetBytes, 2 * 1024 ** 3);
  assert.equal(f.minKeepSeconds, 3600);
  assert.equal(f.maxAgeDays, 30);
  assert.equal(f.publicUrl, null);
});

test('files keys are validated with messages naming the key and what was expected', () => {
  assert.equal(validateConfig({ files: { publicUrl: 'https://chat.example.org' } }).files.publicUrl, 'https://chat.example.org');
  assert.throws(() => validateConfig({ files: { publicUrl: 'https://chat.example.org/path' } }), /files\.publicUrl.*a URL like "http:\/\/192\.168\.1\.5:4444"/s);
  assert.throws(() => validateConfig({ files: { maxFileBytes: 0 } }), /files\.maxFileBytes.*an integer from 1/s);
  assert.throws(() => validateConfig({ files: { maxFileSize: 10 } }), /files.*maxFileSize/s);
  assert.equal(validateConfig({ files: { maxAgeDays: null } }).files.maxAgeDays, null);
});
