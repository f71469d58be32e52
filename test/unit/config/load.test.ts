import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load.js';
import { ConfigError, DEFAULT_CONFIG } from '../../../src/config/schema.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tincan-config-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

test('no file: defaults with dataDir resolved against cwd', () => {
  const c = loadConfig({ flags: {}, cwd: '/srv/chat' });
  assert.equal(c.dataDir, '/srv/chat/data');
  assert.equal(c.port, DEFAULT_CONFIG.port);
  assert.ok(Object.isFrozen(c));
});

test('YAML file, then flags override it', () => {
  const p = file(
    'tincan.yaml',
    ['port: 6667', 'serverName: chat.home', 'limits:', '  nickLength: 20', 'motd: |', '  hello', '  world', 'dataDir: state'].join('\n'),
  );
  const c = loadConfig({ file: p, flags: { port: 7000 } });
  assert.equal(c.port, 7000);
  assert.equal(c.serverName, 'chat.home');
  assert.equal(c.limits.nickLength, 20);
  assert.equal(c.limits.topicLength, DEFAULT_CONFIG.limits.topicLength);
  assert.deepEqual(c.motd, ['hello', 'world']);
  assert.equal(c.dataDir, join(dir, 'state'), 'dataDir from the file is relative to the file');
});

test('.yml and .json files', () => {
  assert.equal(loadConfig({ file: file('a.yml', 'public: true\n'), flags: {} }).public, true);
  const c = loadConfig({ file: file('a.json', JSON.stringify({ networkName: 'home', allow: ['8.8.8.0/24'] })), flags: {} });
  assert.equal(c.networkName, 'home');
  assert.deepEqual(c.allow, ['8.8.8.0/24']);
  assert.equal(loadConfig({ file: file('empty.yaml', ''), flags: {} }).port, 4444);
});

test('flag dataDir is relative to cwd, not to the file', () => {
  const p = file('d.yaml', 'dataDir: fromfile\n');
  assert.equal(loadConfig({ file: p, flags: { dataDir: 'x' }, cwd: '/tmp/cwd' }).dataDir, '/tmp/cwd/x');
});

test('validation errors name the file and the key', () => {
  const p = file('bad.yaml', 'limits:\n  nickLength: abc\n');
  assert.throws(
    () => loadConfig({ file: p, flags: {} }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.code === 'TINCAN_ERR_CONFIG_INVALID' &&
      e.message.includes(p) &&
      e.message.includes('limits.nickLength: expected an integer from 1 to 255, found "abc" (string)'),
  );
});

test('syntax errors name the file and the format', () => {
  const y = file('broken.yaml', 'port: [1, 2\n');
  const syntax = (f: string) => (e: unknown) => e instanceof ConfigError && e.code === 'TINCAN_ERR_CONFIG_SYNTAX' && e.message.includes(f);
  assert.throws(() => loadConfig({ file: y, flags: {} }), syntax(y));
  assert.throws(() => loadConfig({ file: y, flags: {} }), (e: Error) => e.message.includes(y) && /not valid YAML/.test(e.message));
  const j = file('broken.json', '{"port": 1,}');
  assert.throws(() => loadConfig({ file: j, flags: {} }), (e: Error) => e.message.includes(j) && /not valid JSON/.test(e.message));
});

test('missing file and unsupported extension', () => {
  const missing = join(dir, 'nope.yaml');
  assert.throws(() => loadConfig({ file: missing, flags: {} }), (e: Error) => e.message.includes(missing) && /file not found/.test(e.message));
  assert.throws(() => loadConfig({ file: file('x.toml', ''), flags: {} }), /expected a \.json, \.yaml or \.yml file/);
  assert.throws(() => loadConfig({ file: missing, flags: {} }), (e: unknown) => e instanceof ConfigError && e.code === 'TINCAN_ERR_CONFIG_UNREADABLE');
  assert.throws(() => loadConfig({ file: file('y.toml', ''), flags: {} }), (e: unknown) => e instanceof ConfigError && e.code === 'TINCAN_ERR_CONFIG_FILE_TYPE');
});

test('bad flags are reported as coming from the command line', () => {
  assert.throws(
    () => loadConfig({ flags: { logLevel: 'loud' } }),
    (e: Error) => /command-line flags/.test(e.message) && /logLevel: expected one of/.test(e.message),
  );
});
