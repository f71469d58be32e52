// The admin socket (src/admin/socket.ts) and `tincan admin` (src/cli/admin.ts): mode
// 0600, refusing what another user owns, bounded lines, an idle timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { harness } from '../../helpers/harness.js';
import { MAX_LINE_BYTES, socketPath, startAdminSocket } from '../../../src/admin/socket.js';
import { adminMain, socketProblem } from '../../../src/cli/admin.js';

const logger = pino({ level: 'silent' });

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'tincan-sock-'));
}

test('the socket is made 0600, answers commands, and `tincan admin` runs one against it', async () => {
  const dir = tmp();
  const h = harness({ history: { enabled: false } });
  const sock = await startAdminSocket(h.server, dir, logger);
  try {
    assert.equal(sock.path, socketPath(dir));
    assert.equal(statSync(sock.path).mode & 0o777, 0o600);
    const kid = h.client('kid');
    kid.recv('JOIN #x');
    const out: string[] = [];
    const code = await adminMain(['--data', dir, 'who', '#x'], { out: (t) => out.push(t), err: (t) => out.push(t) });
    assert.equal(code, 0, out.join(''));
    assert.match(out.join(''), /1 user in #x:\n\s+kid /);
    // several commands from stdin, one per line
    const { Readable } = await import('node:stream');
    const more: string[] = [];
    assert.equal(await adminMain(['--data', dir], { out: (t) => more.push(t), input: Readable.from(['announce hi\n', 'rooms\n']) }), 0);
    assert.match(more.join(''), /Done: told 1 user\.\n1 room:/);
  } finally {
    await sock.close();
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a line over the limit gets an error and the connection closes; an idle one is closed', async () => {
  const dir = tmp();
  const h = harness({ history: { enabled: false } });
  const sock = await startAdminSocket(h.server, dir, logger, { idleMs: 200 });
  try {
    const long = await new Promise<string>((resolve) => {
      const c = connect(sock.path);
      let got = '';
      c.setEncoding('utf8');
      c.on('data', (d: string) => (got += d));
      c.on('close', () => resolve(got));
      c.on('connect', () => c.write('announce ' + 'x'.repeat(MAX_LINE_BYTES + 10)));
    });
    assert.match(long, /line too long/);
    const idle = await new Promise<boolean>((resolve) => {
      const c = connect(sock.path);
      c.on('close', () => resolve(true));
      c.on('error', () => {});
    });
    assert.equal(idle, true, 'closed after the idle timeout');
  } finally {
    await sock.close();
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a socket path owned by another user, not a socket, or open to others is refused (server and client)", async () => {
  const dir = tmp();
  const h = harness({ history: { enabled: false } });
  try {
    // not a socket
    writeFileSync(socketPath(dir), 'x');
    await assert.rejects(startAdminSocket(h.server, dir, logger), /is not a socket/);
    assert.match(socketProblem(socketPath(dir))!, /not a socket/);
    rmSync(socketPath(dir));
    // a socket someone made readable by everyone
    const other = createServer();
    await new Promise<void>((r) => other.listen(socketPath(dir), () => r()));
    chmodSync(socketPath(dir), 0o666);
    assert.match(socketProblem(socketPath(dir))!, /can be used by other users/);
    const errs: string[] = [];
    assert.equal(await adminMain(['--data', dir, 'who'], { out: () => {}, err: (t) => errs.push(t) }), 1);
    assert.match(errs.join(''), /refusing/);
    // live: the server will not take it over
    await assert.rejects(startAdminSocket(h.server, dir, logger), /in use/);
    if (process.getuid?.() === 0) {
      chownSync(socketPath(dir), 65534, 65534);
      assert.match(socketProblem(socketPath(dir))!, /belongs to another user/);
      await assert.rejects(startAdminSocket(h.server, dir, logger), /belongs to another user/);
    }
    await new Promise<void>((r) => other.close(() => r()));
    // once nothing listens there, the server takes the path
    const sock = await startAdminSocket(h.server, dir, logger);
    await sock.close();
  } finally {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no server: tincan admin says what to check', async () => {
  const dir = tmp();
  try {
    const errs: string[] = [];
    assert.equal(await adminMain(['--data', dir, 'who'], { out: () => {}, err: (t) => errs.push(t) }), 1);
    assert.match(errs.join(''), /no admin socket at .*is tincan serve running with this data directory/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
