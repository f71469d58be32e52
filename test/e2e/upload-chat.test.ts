/**
 * `tincan chat` (line mode, in a pipe, over TLS as it picks by itself) shares a file with
 * `/upload PATH`: progress on stderr, the file message with its name and size on stdout,
 * an IRC user and a plain user get the link and download the bytes; `--show-bytes`
 * interleaves the IRC lines sent (>>) and received (<<).
 */
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServeHandle } from '../../src/cli/serve.js';
import { RawClient } from '../helpers/raw-client.js';
import { serveInProcess } from '../helpers/serve-inprocess.js';
import { REPO, tincanArgv } from './chat-helpers.js';

const handles: ServeHandle[] = [];
afterEach(async () => {
  while (handles.length > 0) await handles.pop()!.close();
});

async function until(cond: () => boolean, what: () => string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out: ' + what());
    await new Promise((r) => setTimeout(r, 25));
  }
}

function get(url: string): Promise<{ status: number; body: Buffer; disposition: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts), disposition: String(res.headers['content-disposition']) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('tincan chat: /upload PATH shares a file (TLS, progress), IRC and plain users download it; --show-bytes shows the protocol', { timeout: 40_000 }, async () => {
  const data = mkdtempSync(join(tmpdir(), 'tincan-upchat-'));
  const h = await serveInProcess({ data });
  handles.push(h);
  const irc = await RawClient.connect(h.port);
  await irc.register('ircy');
  irc.send('JOIN #lobby');
  await irc.waitFor(/ 366 ircy #lobby /);
  const plain = await RawClient.connect(h.port);
  plain.socket.write('hello\n');
  await plain.waitFor(/^\* Type a message/);

  const dir = mkdtempSync(join(tmpdir(), 'tincan-upchat-file-'));
  const file = join(dir, 'report 2.txt');
  const bytes = Buffer.alloc(300_000, 'abcdefghij');
  writeFileSync(file, bytes);
  const child = spawn(process.execPath, [...tincanArgv('chat', `127.0.0.1:${h.port}`, '--nick', 'chatter', '--show-bytes')], {
    cwd: REPO,
    env: { ...process.env, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'tincan-upchat-cfg-')), NO_COLOR: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const both = (): string => `stdout:\n${out}\nstderr:\n${err}`;
  try {
    child.stdin.write('/join #lobby\n');
    child.stdin.write(`/upload ${file}\n`);
    child.stdin.write('uploaded it\n');
    const line = await irc.waitFor(/^:chatter!\S+ PRIVMSG #lobby :\x01ACTION shared report 2\.txt \(292 KB\) https?:\/\//, 20_000);
    const link = /(https?:\/\/\S+)\x01$/.exec(line)![1]!;
    // over TLS (the chat picked it), so the link is https: fetch it over plain HTTP on the same path
    const d = await get(`http://127.0.0.1:${h.port}${new URL(link).pathname}`);
    assert.equal(d.status, 200);
    assert.deepEqual(d.body, bytes);
    assert.match(d.disposition, /^attachment; filename="report 2\.txt"/);
    assert.match(link, /^https:\/\//, 'the chat connected with TLS, the link says so');
    // the plain user was told too
    await plain.waitFor(/\* chatter shared report 2\.txt \(292 KB\)/);
    // the order of the script is kept: the next line went after the upload
    await irc.waitFor(/PRIVMSG #lobby :uploaded it$/);
    const shareAt = irc.lines.findIndex((l) => l.includes('ACTION shared report 2.txt'));
    const afterAt = irc.lines.findIndex((l) => l.endsWith(':uploaded it'));
    assert.ok(shareAt < afterAt);
    // progress on stderr, the file message with name and size on stdout
    await until(() => /Shared report 2\.txt: https:\/\//.test(err), both);
    assert.match(err, /Uploading report 2\.txt \(292 KB\) to #lobby\.\.\./);
    const steps = err.match(/^ {2}report 2\.txt: [1-9]0% \(\d+ KB of 292 KB\)$/gm) ?? [];
    assert.ok(steps.length >= 2 && steps.length <= 9, `progress in steps of 10%: ${steps.join(' | ')}`);
    await until(() => /#lobby \* chatter shared report 2\.txt \(292 KB\) https:\/\//.test(out), both);
    // --show-bytes: the protocol interleaved
    assert.match(out, /^>> NICK chatter$/m);
    assert.match(out, /^<< :test\.local 001 chatter /m);
    assert.match(out, /^>> UPLOAD #lobby$/m);
    assert.match(out, /^<< :test\.local NOTICE chatter :\*\*\* Upload to #lobby: curl -T FILE https:\/\//m);
    assert.match(out, /^>> PRIVMSG #lobby :uploaded it$/m);
  } finally {
    child.stdin.end();
    await new Promise((r) => {
      const t = setTimeout(() => (child.kill(), r(null)), 5000);
      child.once('exit', () => (clearTimeout(t), r(null)));
    });
    irc.socket.destroy();
    plain.socket.destroy();
  }
});

test('tincan chat: /upload of a missing file or without a room says why', { timeout: 30_000 }, async () => {
  const data = mkdtempSync(join(tmpdir(), 'tincan-upchat-'));
  const h = await serveInProcess({ data });
  handles.push(h);
  const child = spawn(process.execPath, [...tincanArgv('chat', `127.0.0.1:${h.port}`, '--nick', 'oops', '--line')], {
    cwd: REPO,
    env: { ...process.env, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'tincan-upchat-cfg-')), NO_COLOR: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let err = '';
  let out = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stdin.write('/upload /nonexistent/file.bin\n');
  child.stdin.write('/join #lobby\n');
  child.stdin.write('/upload /nonexistent/file.bin\n');
  child.stdin.end();
  await new Promise((r) => child.once('exit', r));
  const all = out + err;
  assert.match(all, /Open a room or a conversation first/);
  assert.match(all, /error: cannot read \/nonexistent\/file\.bin: ENOENT/);
});
