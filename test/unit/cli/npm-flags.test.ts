import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliError, npmEatenFlags, parseServeArgs } from '../../../src/cli/serve.js';

const NPM = { npm_lifecycle_event: 'start', npm_package_name: 'tincan' };

test('npm start --port 5000: the lone value goes back to --port', () => {
  const r = npmEatenFlags(['5000'], { ...NPM, npm_config_port: 'true' });
  assert.deepEqual(r.argv, ['--port', '5000']);
  assert.equal(parseServeArgs(r.argv).flags.port, 5000);
  assert.match(r.note ?? '', /next time type: npm start -- --port 5000/);
});

test('npm start --port=5000, --public and --no-mdns come back from the environment', () => {
  const r = npmEatenFlags([], { ...NPM, npm_config_port: '5000', npm_config_public: 'true', npm_config_mdns: '' });
  assert.deepEqual(r.argv, ['--port', '5000', '--public', '--no-mdns']);
  const a = parseServeArgs(r.argv);
  assert.equal(a.flags.public, true);
  assert.equal(a.noMdns, true);
});

test('flags after -- win over what npm kept; other args stay in place', () => {
  const r = npmEatenFlags(['5000', '--host', '127.0.0.1'], { ...NPM, npm_config_port: 'true', npm_config_host: 'true' });
  // --host was passed properly, so only --port is missing and 5000 is its value
  assert.deepEqual(r.argv, ['--host', '127.0.0.1', '--port', '5000']);
});

test('two eaten values cannot be matched to their flags: says exactly what to type', () => {
  assert.throws(
    () => npmEatenFlags(['5000', '/tmp/d'], { ...NPM, npm_config_port: 'true', npm_config_data: 'true' }),
    (e: unknown) => {
      assert.ok(e instanceof CliError);
      assert.equal(e.exitCode, 2);
      assert.match(e.message, /npm kept --port, --data for itself and passed on only 5000 \/tmp\/d/);
      assert.match(e.message, /npm start -- --port <number> --data <value>/);
      return true;
    },
  );
});

test('outside npm, or another package, or npm-known names (password, name): nothing is read', () => {
  assert.deepEqual(npmEatenFlags(['x'], { npm_config_port: 'true' }), { argv: ['x'], note: null });
  assert.deepEqual(npmEatenFlags([], { npm_lifecycle_event: 'start', npm_package_name: 'other', npm_config_port: '1' }), { argv: [], note: null });
  assert.deepEqual(npmEatenFlags([], { ...NPM, npm_config_password: 'registry-secret', npm_config_name: 'x' }), { argv: [], note: null });
});
