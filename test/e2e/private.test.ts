/**
 * Private by default, over a real network: a peer with a public address (from a
 * namespace of our own, on a veth pair, routed rather than on one of our subnets) is refused with one ERROR line saying why, and
 * admitted once its network is on the allow list.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { makePeerNet, netnsUnavailable, type PeerNet } from '../helpers/netns.js';
import { startServer } from '../helpers/server.js';
import { closingLine } from '../helpers/codes.js';

const skip = netnsUnavailable() ?? false;
let net: PeerNet;

before(() => {
  if (!skip) net = makePeerNet('pub', '198.51.100.1', '198.51.100.2', { routed: true }); // not on-link: routed
});
after(() => {
  if (!skip) net.destroy();
});

/** Connects from inside the namespace, sends NICK/USER, prints what came back. */
async function dialFromPeer(port: number): Promise<string> {
  const py = [
    'import socket,sys',
    `s=socket.create_connection(("198.51.100.1",${port}),timeout=5)`,
    's.sendall(b"NICK outsider\\r\\nUSER o 0 * :o\\r\\n")',
    'data=b""',
    'try:',
    '  while b" 001 " not in data:',
    '    c=s.recv(4096)',
    '    if not c: break',
    '    data+=c',
    'except Exception as e: pass',
    'sys.stdout.write(data.decode("utf-8","replace"))',
  ].join('\n');
  // asynchronous: the server under test runs in this very process
  const r = await promisify(execFile)(net.exec[0]!, [...net.exec.slice(1), 'python3', '-c', py], { encoding: 'utf8', timeout: 15000 });
  return r.stdout;
}

test('a public address is refused with a clear ERROR; allow lets it in', { skip, timeout: 30000 }, async () => {
  const closed = await startServer({ host: '198.51.100.1' });
  try {
    const out = await dialFromPeer(closed.port);
    assert.ok(out.startsWith(closingLine('198.51.100.2', 'TINCAN_ERR_NOT_LOCAL')), out);
    assert.doesNotMatch(out, / 001 /);
  } finally {
    await closed.stop();
  }
  const open = await startServer({ host: '198.51.100.1', allow: ['198.51.100.0/24'] });
  try {
    const out = await dialFromPeer(open.port);
    assert.match(out, / 001 outsider /);
  } finally {
    await open.stop();
  }
});
