/**
 * Shared files end to end over real sockets, through `tincan serve`'s own wiring
 * (SQLite metadata, the HTTP side of the port): /upload gives a plain user a curl line,
 * real curl uploads with it, an IRC user and a plain user get the link, and the bytes
 * come back with the safe headers. Refusals (over the cap, quota, budget, a cut socket,
 * a foreign Origin, a wrong token) answer clearly in HTTP and in chat, and leave nothing
 * in the files directory.
 */
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServeHandle } from '../../src/cli/serve.js';
import { RawClient } from '../helpers/raw-client.js';
import { serveInProcess } from '../helpers/serve-inprocess.js';

const T = { timeout: 20_000 };
const handles: ServeHandle[] = [];
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.destroy();
  while (handles.length > 0) await handles.pop()!.close();
});

async function serve(files: Record<string, unknown> = {}): Promise<{ h: ServeHandle; data: string }> {
  const data = mkdtempSync(join(tmpdir(), 'tincan-files-'));
  const h = await serveInProcess({ data, config: { files } });
  handles.push(h);
  return { h, data };
}

async function ircUser(port: number, nick: string, caps: string[] = []): Promise<RawClient> {
  const c = await RawClient.connect(port);
  clients.push(c);
  await c.register(nick, caps);
  c.send('JOIN #lobby');
  await c.waitFor(new RegExp(` 366 ${nick} #lobby `));
  return c;
}

async function plainUser(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  clients.push(c);
  c.socket.write('hi everyone\n');
  await c.waitFor(/^\* Type a message and press Enter/);
  return c;
}

/** Asks for an upload link as `c` (IRC) and returns the URL from the curl line. */
async function uploadLink(c: RawClient, target = '#lobby'): Promise<string> {
  const from = c.lines.length;
  c.send(`UPLOAD ${target}`);
  const line = await c.waitFor(/NOTICE \S+ :\*\*\* Upload to .*curl -T FILE /, 5000, from);
  return /curl -T FILE (\S+)$/.exec(line)![1]!;
}

function curl(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '-w', '\n%{http_code}', ...args], { timeout: 10_000 }, (_err, stdout) => {
      const lines = stdout.trimEnd().split('\n');
      resolve({ code: Number(lines.pop()), out: lines.join('\n') });
    });
  });
}

interface Got {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}
function get(url: string, headers: Record<string, string> = {}): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function put(url: string, body: Buffer, headers: Record<string, string> = {}): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', agent: false, headers: { 'Content-Length': String(body.length), ...headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const filesIn = (data: string): string[] => readdirSync(join(data, 'files'));

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 7)]);

test('a plain user gets the curl line from /upload; curl uploads; IRC and plain users get a link that downloads the bytes as an attachment', T, async () => {
  const { h, data } = await serve();
  const bob = await ircUser(h.port, 'bob');
  const carol = await plainUser(h.port);
  const alice = await plainUser(h.port);
  alice.socket.write('/upload\n');
  await alice.waitFor(/^\* To share a file with #lobby, run this in a terminal \(FILE = the file's path\):$/);
  // one row, unwrapped, ready to copy
  const line = await alice.waitFor(/^curl -T FILE http:\/\/127\.0\.0\.1:\d+\/u\/[A-Za-z0-9_-]{32}\/$/);
  const url = /curl -T FILE (\S+)$/.exec(line)![1]!;
  await alice.waitFor(/^\* That link is for you alone/);

  const dir = mkdtempSync(join(tmpdir(), 'tincan-up-'));
  const file = join(dir, 'notes for class.pdf');
  const bytes = Buffer.from('%PDF-1.4 pretend this is a pdf\n'.repeat(100));
  writeFileSync(file, bytes);
  const r = await curl(['-T', file, url]);
  assert.equal(r.code, 201, r.out);
  const link = r.out.trim();
  assert.match(link, new RegExp(`^http://127\\.0\\.0\\.1:${h.port}/f/[A-Za-z0-9_-]{16}/notes%20for%20class\\.pdf$`));

  // an IRC user sees an ACTION from the uploader with the link and the size
  const seen = await bob.waitFor(/PRIVMSG #lobby :\x01ACTION shared notes for class\.pdf \(3\.0 KB\) http/);
  assert.ok(seen.includes(link), seen);
  assert.match(seen, /^:guest\d+!/);
  // plain users: the other one, and the uploader itself
  // (80-column rows: the link continues on the next row)
  for (const [c, re] of [
    [carol, /^\[\d\d:\d\d\] \* guest\d+ shared notes for class\.pdf \(3\.0 KB\)/],
    [alice, /^\* You shared notes for class\.pdf \(3\.0 KB\)/],
  ] as const) {
    const row = await c.waitFor(re);
    const i = c.lines.indexOf(row);
    assert.ok((row + c.lines.slice(i + 1, i + 3).join('').replace(/\s+/g, '')).includes(link), c.lines.slice(i).join('\n'));
  }

  const d = await get(link);
  assert.equal(d.status, 200);
  assert.deepEqual(d.body, bytes);
  assert.equal(d.headers['content-type'], 'application/octet-stream');
  assert.match(String(d.headers['content-disposition']), /^attachment; filename="notes for class\.pdf"; filename\*=UTF-8''notes%20for%20class\.pdf$/);
  assert.equal(d.headers['x-content-type-options'], 'nosniff');
  assert.match(String(d.headers['content-security-policy']), /sandbox/);
  // on disk under its random id only, nothing temporary left
  assert.deepEqual(filesIn(data), [/\/f\/([^/]+)\//.exec(link)![1]]);

  // the link was spent: a second upload with it is refused
  const again = await curl(['-T', file, url]);
  assert.equal(again.code, 403);
  assert.match(again.out, /unknown or has expired/);

  // a wrong id is a 404, with a reason
  const missing = await get(link.replace(/\/f\/[^/]+\//, '/f/AAAAAAAAAAAAAAAA/'));
  assert.equal(missing.status, 404);
  assert.match(missing.body.toString(), /expired/);
});

test('images are sniffed from their bytes and shown inline; SVG and HTML never are, whatever their name', T, async () => {
  const { h } = await serve();
  const alice = await ircUser(h.port, 'alice', ['echo-message']);
  const share = async (name: string, body: Buffer, contentType: string): Promise<string> => {
    const url = await uploadLink(alice);
    const r = await put(url + encodeURIComponent(name), body, { 'Content-Type': contentType });
    assert.equal(r.status, 201, r.body.toString());
    return r.body.toString().trim();
  };
  const png = await get(await share('cat.png', PNG, 'image/png'));
  assert.equal(png.headers['content-type'], 'image/png');
  assert.match(String(png.headers['content-disposition']), /^inline; /);
  assert.equal(png.headers['x-content-type-options'], 'nosniff');

  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
  for (const [name, body, type] of [
    ['evil.svg', svg, 'image/svg+xml'],
    ['page.html', Buffer.from('<html><script>alert(1)</script></html>'), 'text/html'],
    // an SVG named like a PNG is still not an image by its bytes
    ['fake.png', svg, 'image/png'],
  ] as const) {
    const d = await get(await share(name, body, type));
    assert.equal(d.headers['content-type'], 'application/octet-stream', name);
    assert.match(String(d.headers['content-disposition']), /^attachment; /, name);
    assert.equal(d.headers['x-content-type-options'], 'nosniff', name);
    assert.deepEqual(d.body, body);
  }
  // with echo-message the uploader sees its own share (no extra NOTICE)
  await alice.waitFor(/^:alice!\S+ PRIVMSG #lobby :\x01ACTION shared evil\.svg/);
  assert.equal(alice.lines.filter((l) => /NOTICE alice :\*\*\* You shared/.test(l)).length, 0);
});

test('over the size cap: 413 before reading, a line in chat, nothing kept; also when the size was not announced', T, async () => {
  const { h, data } = await serve({ maxFileBytes: 1000 });
  const alice = await ircUser(h.port, 'alice');
  const bob = await ircUser(h.port, 'bob');
  const url = await uploadLink(alice);
  const r = await put(url + 'big.bin', Buffer.alloc(5000));
  assert.equal(r.status, 413);
  assert.match(r.body.toString(), /files may be at most 1000 bytes/);
  await alice.waitFor(/NOTICE alice :\*\*\* Upload of big\.bin to #lobby: the file is 4\.8 KB; files may be at most 1000 bytes/);
  // chunked: no length announced, cut at the bound
  const chunked = await new Promise<Got>((resolve, reject) => {
    const req = request(url + 'stream.bin', { method: 'PUT', agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.write(Buffer.alloc(800));
    req.write(Buffer.alloc(800));
    req.end();
  });
  assert.equal(chunked.status, 413);
  assert.match(chunked.body.toString(), /bigger than 1000 bytes/);
  assert.deepEqual(filesIn(data), []);
  assert.equal(bob.lines.filter((l) => l.includes('shared')).length, 0, 'nothing was shared');
  // the link was not spent by the failures
  const ok = await put(url + 'small.txt', Buffer.from('fits'));
  assert.equal(ok.status, 201);
});

test('the per-user quota (per address) gets a clear refusal in HTTP and in chat', T, async () => {
  const { h, data } = await serve({ quotaBytes: 3000 });
  const alice = await ircUser(h.port, 'alice');
  const bob = await ircUser(h.port, 'bob');
  const up = async (c: RawClient, name: string, n: number): Promise<Got> => put((await uploadLink(c)) + name, Buffer.alloc(n, 1));
  assert.equal((await up(alice, 'a.bin', 2000)).status, 201);
  const q = await up(alice, 'b.bin', 1500);
  assert.equal(q.status, 413);
  assert.match(q.body.toString(), /your files already use 1\.9 KB of your 2\.9 KB/);
  await alice.waitFor(/\*\*\* Upload of b\.bin to #lobby: your files already use/);
  // a second nick from the same address shares that quota: 900 fits, then nothing
  assert.equal((await up(bob, 'c.bin', 900)).status, 201);
  assert.equal((await up(bob, 'd.bin', 200)).status, 413);
  assert.equal(filesIn(data).length, 2);
});

test('a full disk budget (everything recent) is a 507 with a chat line, and nothing is kept', T, async () => {
  const { h, data } = await serve({ budgetBytes: 3000, minKeepSeconds: 3600 });
  const alice = await ircUser(h.port, 'alice');
  assert.equal((await put((await uploadLink(alice)) + 'a.bin', Buffer.alloc(2500, 1))).status, 201);
  const r = await put((await uploadLink(alice)) + 'b.bin', Buffer.alloc(1000, 1));
  assert.equal(r.status, 507);
  assert.match(r.body.toString(), /file space is full/);
  assert.equal(r.headers['retry-after'], '3600');
  await alice.waitFor(/\*\*\* Upload of b\.bin to #lobby: the server's file space is full/);
  assert.equal(filesIn(data).length, 1);
});

test('an upload cut off mid-body leaves nothing behind and tells the uploader', T, async () => {
  const { h, data } = await serve();
  const alice = await ircUser(h.port, 'alice');
  const bob = await ircUser(h.port, 'bob');
  const url = new URL((await uploadLink(alice)) + 'half.bin');
  const s = net.connect(h.port, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  s.write(`PUT ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Length: 100000\r\n\r\n`);
  s.write(Buffer.alloc(30000, 2));
  // the temporary file exists while the body streams
  await until(() => filesIn(data).some((f) => f.startsWith('.upload-')), 'the temporary file');
  s.destroy();
  await alice.waitFor(/\*\*\* Upload of half\.bin to #lobby: the upload was cut off; nothing was kept/);
  await until(() => filesIn(data).length === 0, 'the temporary file to go');
  assert.equal(bob.lines.filter((l) => l.includes('shared')).length, 0);
  // nothing reserved is left over: a full-size upload still fits
  const ok = await put((await uploadLink(alice)) + 'whole.bin', Buffer.alloc(1000, 3));
  assert.equal(ok.status, 201);
});

test('the link is refused from another web page (Origin), to another session, and after the session left', T, async () => {
  const { h } = await serve();
  const alice = await ircUser(h.port, 'alice');
  const url = await uploadLink(alice);
  const foreign = await put(url + 'x.txt', Buffer.from('x'), { Origin: 'http://evil.example' });
  assert.equal(foreign.status, 403);
  assert.match(foreign.body.toString(), /Origin is not allowed/);
  // same origin is fine (what the browser client sends)
  const own = await put(url + 'x.txt', Buffer.from('x'), { Origin: `http://127.0.0.1:${h.port}` });
  assert.equal(own.status, 201, own.body.toString());
  // not a member: no link
  alice.send('UPLOAD #elsewhere');
  await alice.waitFor(/NOTICE alice :\*\*\* You are not in #elsewhere/);
  const url2 = await uploadLink(alice);
  alice.send('QUIT');
  await alice.closed;
  const gone = await put(url2 + 'y.txt', Buffer.from('y'));
  assert.equal(gone.status, 410);
  assert.match(gone.body.toString(), /disconnected/);
});

test('a private share: the link goes to that nick only', T, async () => {
  const { h } = await serve();
  const alice = await ircUser(h.port, 'alice');
  const bob = await ircUser(h.port, 'bob');
  const carol = await ircUser(h.port, 'carol');
  const url = await uploadLink(alice, 'bob');
  const r = await put(url + 'secret.txt', Buffer.from('for bob'));
  assert.equal(r.status, 201);
  await bob.waitFor(/^:alice!\S+ PRIVMSG bob :\x01ACTION shared secret\.txt \(7 bytes\) http/);
  // without echo-message alice is told where it went
  await alice.waitFor(/NOTICE alice :\*\*\* You shared secret\.txt \(7 bytes\) \S+ with bob/);
  assert.equal(carol.lines.filter((l) => l.includes('secret')).length, 0);
});

test('curl with Expect: 100-continue (files over 1 MB): accepted files get the 100, refused ones are answered before the body', T, async () => {
  const { h, data } = await serve({ maxFileBytes: 3 * 1024 * 1024 });
  const alice = await ircUser(h.port, 'alice');
  const dir = mkdtempSync(join(tmpdir(), 'tincan-up-'));
  const big = join(dir, 'big.bin');
  writeFileSync(big, Buffer.alloc(2 * 1024 * 1024, 9));
  const ok = await curl(['-T', big, await uploadLink(alice)]);
  assert.equal(ok.code, 201, ok.out);
  const huge = join(dir, 'huge.bin');
  writeFileSync(huge, Buffer.alloc(4 * 1024 * 1024, 9));
  // -v shows whether curl was told 100 Continue; a refusal must come instead of it
  const r = await new Promise<{ code: string; err: string }>((resolve) => {
    void uploadLink(alice).then((url) =>
      execFile('curl', ['-sS', '-v', '-o', '/dev/null', '-w', '%{http_code}', '--expect100-timeout', '10', '-T', huge, url], { timeout: 15_000 }, (_e, so, se) => resolve({ code: so, err: se })),
    );
  });
  assert.equal(r.code, '413');
  assert.doesNotMatch(r.err, /< HTTP\/1\.1 100 Continue/);
  assert.equal(filesIn(data).length, 1);
});

test('a moderated room: no link for someone who may not speak, and a link issued before +m posts nothing and keeps nothing', T, async () => {
  const { h, data } = await serve();
  const op = await ircUser(h.port, 'op'); // first in: channel operator
  const alice = await ircUser(h.port, 'alice');
  const url = await uploadLink(alice);
  op.send('MODE #lobby +m');
  await alice.waitFor(/MODE #lobby \+m/);
  alice.send('UPLOAD #lobby');
  await alice.waitFor(/NOTICE alice :\*\*\* You cannot speak in #lobby \(moderated, or banned\)/);
  const r = await put(url + 'late.txt', Buffer.from('too late'));
  assert.equal(r.status, 410);
  assert.match(r.body.toString(), /not shared .*cannot speak in #lobby.*nothing was kept/);
  await until(() => filesIn(data).length === 0, 'nothing kept');
  assert.equal(op.lines.filter((l) => l.includes('late.txt')).length, 0);
});
