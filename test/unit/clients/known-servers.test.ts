import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { colonFingerprint, filePinStore, knownServersPath, normalizeFingerprint, serverKey } from '../../../src/clients/shared/known-servers.js';

const FP = 'ab'.repeat(32);

test('pins live under XDG_CONFIG_HOME (or ~/.config), one HOST:PORT line each, file 0600', () => {
  assert.equal(knownServersPath({ XDG_CONFIG_HOME: '/x/cfg' }), '/x/cfg/tincan/known_servers');
  assert.match(knownServersPath({ XDG_CONFIG_HOME: '' }), /\/\.config\/tincan\/known_servers$/);
  const path = join(mkdtempSync(join(tmpdir(), 'tincan-pins-')), 'deep', 'known_servers');
  const pins = filePinStore(path);
  assert.equal(pins.get('10.0.0.1:4444'), undefined);
  pins.set('10.0.0.1:4444', colonFingerprint(FP));
  pins.set(serverKey('fe80::1', 4444), 'CD'.repeat(32));
  assert.equal(pins.get('10.0.0.1:4444'), FP);
  assert.equal(pins.get('[fe80::1]:4444'), 'cd'.repeat(32));
  assert.equal(readFileSync(path, 'utf8'), `10.0.0.1:4444 ${FP}\n[fe80::1]:4444 ${'cd'.repeat(32)}\n`);
  assert.equal(statSync(path).mode & 0o777, 0o600);
});

test('a hand-edited file: junk lines are ignored, colon form accepted, a deleted line forgets the pin', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'tincan-pins-')), 'known_servers');
  writeFileSync(path, `# my servers\n\nhost:1 ${colonFingerprint(FP)}\nbroken line\nhost:2 1234\n`);
  const pins = filePinStore(path);
  assert.equal(pins.get('host:1'), FP);
  assert.equal(pins.get('host:2'), undefined);
  writeFileSync(path, '');
  assert.equal(pins.get('host:1'), undefined);
  assert.equal(normalizeFingerprint('AB:cd:EF'), 'abcdef');
  assert.equal(colonFingerprint('abcdef'), 'AB:CD:EF');
});
