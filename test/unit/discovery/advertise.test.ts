import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instanceName, tincanTxt } from '../../../src/discovery/advertise.js';

test('instance name: "tincan on <host>", with the port when it is not 4444', () => {
  assert.equal(instanceName('my-laptop.local', 4444), 'tincan on my-laptop');
  assert.equal(instanceName('my-laptop.local', 5555), 'tincan on my-laptop port 5555');
  assert.equal(instanceName('chat.example.org', 4444), 'tincan on chat.example.org');
});

test('_tincan._tcp TXT: version, server name, WebSocket path, fingerprint when given', () => {
  assert.deepEqual(tincanTxt({ serverName: 'a.local', version: '1.2.3' }), { v: '1.2.3', name: 'a.local', ws: '/irc' });
  assert.deepEqual(tincanTxt({ serverName: 'a.local', version: '1', wsPath: '/ws', tlsFingerprint: 'sha256:ab' }), {
    v: '1',
    name: 'a.local',
    ws: '/ws',
    fp: 'sha256:ab',
  });
});
