/**
 * The shared client model's accounts (src/clients/shared/connection.ts, sasl.ts): SASL
 * PLAIN during registration (CAP END held until the answer, 400-byte chunks and `+`),
 * every way it can end (903, 904, 906, a server without sasl, no answer at all), login()
 * and register() after registration, and credentials never shown in the wire view.
 * Then the same model against a real tincan over TCP.
 */
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { IrcClient, type AuthEvent, type ClientOptions, type TransportHandlers } from '../../../src/clients/shared/irc-client.js';
import { plainAuthenticateLines, SASL_TIMEOUT_MS } from '../../../src/clients/shared/sasl.js';
import { redact } from '../../../src/clients/shared/connection.js';
import { tcpTransport } from '../../../src/clients/shared/node-transport.js';
import { startServer } from '../../helpers/server.js';

type Opts = Partial<Omit<ClientOptions, 'transport' | 'serverLabel'>>;

function fake(opts: Opts = {}) {
  const conns: { sent: string[]; h: TransportHandlers }[] = [];
  const auth: AuthEvent[] = [];
  const wire: string[] = [];
  const c = new IrcClient({
    nick: 'alice',
    serverLabel: 'test:1',
    reconnect: false,
    ...opts,
    transport: (h) => {
      const conn = { sent: [] as string[], h };
      conns.push(conn);
      return { send: (l) => conn.sent.push(l), close: () => h.onClose() };
    },
  });
  c.on('auth', (e) => auth.push(e));
  c.on('wire', (dir, l) => wire.push(`${dir} ${l}`));
  const cur = () => conns[conns.length - 1]!;
  return {
    c,
    auth,
    wire,
    recv: (...lines: string[]) => lines.forEach((l) => cur().h.onLine(l)),
    sent: () => cur().sent,
    start() {
      c.connect();
      cur().h.onOpen();
    },
  };
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

test('SASL PLAIN while registering: sasl requested, CAP END only after 903, credentials sent once in base64', () => {
  const f = fake({ login: { account: 'alice', password: 'hunter22' } });
  f.start();
  f.recv(':srv CAP * LS :server-time sasl=PLAIN,SCRAM-SHA-256');
  assert.equal(f.sent().at(-1), 'CAP REQ :server-time sasl');
  f.recv(':srv CAP * ACK :server-time sasl');
  assert.equal(f.sent().at(-1), 'AUTHENTICATE PLAIN');
  assert.ok(!f.sent().includes('CAP END'), 'CAP END must wait for the login');
  f.recv('AUTHENTICATE +');
  assert.equal(f.sent().at(-1), `AUTHENTICATE ${b64('alice\0alice\0hunter22')}`);
  f.recv(':srv 900 alice alice!alice@h alice :You are now logged in as alice');
  assert.ok(!f.sent().includes('CAP END'));
  f.recv(':srv 903 alice :SASL authentication successful');
  assert.equal(f.sent().at(-1), 'CAP END');
  assert.equal(f.c.account, 'alice');
  assert.deepEqual(f.auth.map((e) => e.kind), ['logged-in']);
  // the wire view (/raw, the browser's protocol panel) never shows the credentials
  assert.ok(f.wire.some((l) => l === 'out AUTHENTICATE ***'), f.wire.join('\n'));
  assert.ok(!f.wire.some((l) => l.includes(b64('alice\0alice\0hunter22'))));
});

test('SASL framing: 400-character lines, and `+` after a last line of exactly 400', () => {
  // 300 bytes of payload = 400 base64 characters exactly
  const pw = 'x'.repeat(300 - 'al\0al\0'.length);
  const lines = plainAuthenticateLines({ account: 'al', password: pw });
  assert.deepEqual(lines.map((l) => l.length), [400, 1]);
  assert.equal(lines[1], '+');
  const longer = plainAuthenticateLines({ account: 'al', password: pw + 'yyy' });
  assert.deepEqual(longer.map((l) => l.length), [400, 4]);
  assert.equal(Buffer.from(longer.join(''), 'base64').toString(), `al\0al\0${pw}yyy`);
  // non-ASCII passwords are UTF-8
  assert.equal(Buffer.from(plainAuthenticateLines({ account: 'é', password: 'pässwörd' })[0]!, 'base64').toString(), 'é\0é\0pässwörd');
});

test('a wrong saved password: 904, CAP END, registration goes on, the user is told; the next connect does not retry it', () => {
  const f = fake({ login: { account: 'alice', password: 'wrong' } });
  f.start();
  f.recv(':srv CAP * LS :sasl', ':srv CAP * ACK :sasl', 'AUTHENTICATE +', ':srv 904 alice :SASL authentication failed');
  assert.equal(f.sent().at(-1), 'CAP END');
  assert.equal(f.auth[0]?.kind, 'login-failed');
  assert.match(f.auth[0]!.text, /^Login as alice failed: wrong account name or password; connected without logging in$/);
  assert.ok(f.c.server.lines.some((l) => l.kind === 'error' && /wrong account name or password/.test(l.text)));
  f.recv(':srv 001 alice :Welcome');
  assert.equal(f.c.state, 'connected');
  assert.equal(f.c.credentials, null);
});

test('906 (aborted) and 905 also end the exchange with CAP END', () => {
  for (const code of ['905', '906', '902']) {
    const f = fake({ login: { account: 'alice', password: 'pw' } });
    f.start();
    f.recv(':srv CAP * LS :sasl', ':srv CAP * ACK :sasl', 'AUTHENTICATE +', `:srv ${code} alice :nope`);
    assert.equal(f.sent().at(-1), 'CAP END', code);
    assert.equal(f.auth[0]?.kind, 'login-failed', code);
  }
});

test('a server without sasl: the user is told, CAP END is sent, registration is not held', () => {
  const f = fake({ login: { account: 'alice', password: 'pw' } });
  f.start();
  f.recv(':srv CAP * LS :server-time');
  f.recv(':srv CAP * ACK :server-time');
  assert.equal(f.sent().at(-1), 'CAP END');
  assert.ok(!f.sent().some((l) => l.startsWith('AUTHENTICATE')));
  assert.ok(f.c.server.lines.some((l) => /does not offer logins \(no sasl capability\); connecting without logging in as alice/.test(l.text)));
  // nothing to REQ at all: END straight after LS, with the same note
  const g = fake({ login: { account: 'alice', password: 'pw' } });
  g.start();
  g.recv(':srv CAP * LS :foo');
  assert.equal(g.sent().at(-1), 'CAP END');
  // sasl offered without PLAIN
  const h = fake({ login: { account: 'alice', password: 'pw' } });
  h.start();
  h.recv(':srv CAP * LS :sasl=EXTERNAL', ':srv CAP * ACK :sasl');
  assert.equal(h.sent().at(-1), 'CAP END');
  assert.ok(h.c.server.lines.some((l) => /does not accept PLAIN logins/.test(l.text)));
});

test('a server that never answers AUTHENTICATE: after the timeout, AUTHENTICATE * and CAP END', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const f = fake({ login: { account: 'alice', password: 'pw' } });
    f.start();
    f.recv(':srv CAP * LS :sasl', ':srv CAP * ACK :sasl');
    assert.equal(f.sent().at(-1), 'AUTHENTICATE PLAIN');
    mock.timers.tick(SASL_TIMEOUT_MS - 1);
    assert.ok(!f.sent().includes('CAP END'));
    mock.timers.tick(1);
    assert.deepEqual(f.sent().slice(-2), ['AUTHENTICATE *', 'CAP END']);
    assert.equal(f.auth[0]?.kind, 'login-failed');
    // a late answer changes nothing
    f.recv(':srv 904 alice :SASL authentication failed');
    assert.equal(f.sent().filter((l) => l === 'CAP END').length, 1);
  } finally {
    mock.timers.reset();
  }
});

test('login() after registration asks for the sasl cap first; register() sends REGISTER and keeps the credentials', () => {
  const f = fake();
  f.start();
  f.recv(':srv CAP * LS :server-time sasl draft/account-registration=before-connect', ':srv CAP * ACK :server-time', ':srv 001 alice :Welcome');
  assert.ok(!f.sent().some((l) => l.includes('sasl')), 'no credentials: sasl not requested while registering');
  const ends = f.sent().filter((l) => l === 'CAP END').length;
  assert.equal(f.c.login('alice', 'pw1'), null);
  assert.equal(f.sent().at(-1), 'CAP REQ sasl');
  f.recv(':srv CAP alice ACK :sasl');
  assert.equal(f.sent().at(-1), 'AUTHENTICATE PLAIN');
  f.recv('AUTHENTICATE +', ':srv 904 alice :SASL authentication failed');
  assert.equal(f.sent().filter((l) => l === 'CAP END').length, ends, 'no CAP END after registration');
  assert.equal(f.c.credentials, null);
  assert.equal(f.c.register('long-password'), null);
  assert.equal(f.sent().at(-1), 'REGISTER * * long-password');
  assert.ok(f.wire.includes('out REGISTER * * ***'));
  f.recv(':srv REGISTER SUCCESS alice :Account alice registered; you are logged in', ':srv 900 alice alice!a@h alice :You are now logged in as alice');
  assert.deepEqual(f.c.credentials, { account: 'alice', password: 'long-password' });
  assert.deepEqual(f.auth.map((e) => e.kind), ['login-failed', 'registered', 'logged-in']);
  assert.equal(f.c.login('alice', 'x'), 'You are already logged in as alice');
});

test('register(): FAIL REGISTER is an error with its code; a server without registration is said so', () => {
  const f = fake();
  f.start();
  f.recv(':srv CAP * LS :draft/account-registration', ':srv CAP * ACK :draft/account-registration', ':srv 001 alice :Welcome');
  f.c.register('short');
  f.recv(':srv FAIL REGISTER WEAK_PASSWORD alice :Password too short: use at least 8 characters');
  assert.equal(f.auth[0]?.kind, 'register-failed');
  assert.equal(f.auth[0]?.code, 'WEAK_PASSWORD');
  assert.equal(f.c.credentials, null);
  const g = fake();
  g.start();
  g.recv(':srv CAP * LS :server-time', ':srv CAP * ACK :server-time', ':srv 001 alice :Welcome');
  assert.equal(g.c.register('pw'), 'test:1 does not offer account registration');
  assert.equal(g.c.login('alice', 'pw'), 'test:1 does not offer logins (no sasl capability)');
});

test('redact(): AUTHENTICATE data, REGISTER and PASS passwords', () => {
  assert.equal(redact('AUTHENTICATE PLAIN'), 'AUTHENTICATE PLAIN');
  assert.equal(redact('AUTHENTICATE +'), 'AUTHENTICATE +');
  assert.equal(redact('AUTHENTICATE YWxpY2UAYWxpY2UAcHc='), 'AUTHENTICATE ***');
  assert.equal(redact('REGISTER * * :my secret'), 'REGISTER * * ***');
  assert.equal(redact('PASS hunter2'), 'PASS ***');
  assert.equal(redact('PRIVMSG #a :PASS x'), 'PRIVMSG #a :PASS x');
});

test('against a real tincan: register, reconnect logs in with the kept credentials, a wrong password does not', { timeout: 20_000 }, async () => {
  const srv = await startServer({ flood: { enabled: false } });
  const opts = (login?: { account: string; password: string }) => ({
    nick: 'dora',
    serverLabel: 'local',
    reconnect: false as const,
    transport: tcpTransport({ host: '127.0.0.1', port: srv.port }),
    ...(login ? { login } : {}),
  });
  const waitAuth = (c: IrcClient, kind: AuthEvent['kind']) =>
    new Promise<AuthEvent>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ${kind}`)), 8000);
      c.on('auth', (e) => {
        if (e.kind === kind) {
          clearTimeout(t);
          resolve(e);
        }
      });
    });
  const waitState = (c: IrcClient, s: string) =>
    new Promise<void>((resolve) => {
      if (c.state === s) return resolve();
      c.on('state', (x) => x === s && resolve());
    });
  try {
    const a = new IrcClient(opts());
    a.connect();
    await waitState(a, 'connected');
    const reg = waitAuth(a, 'registered');
    assert.equal(a.register('dora-password-1'), null);
    await reg;
    const saved = a.credentials;
    assert.deepEqual(saved, { account: 'dora', password: 'dora-password-1' });
    a.quit();
    await waitState(a, 'closed');

    const b = new IrcClient(opts(saved!));
    const ok = waitAuth(b, 'logged-in');
    b.connect();
    await ok;
    await waitState(b, 'connected');
    assert.equal(b.account, 'dora');
    b.quit();
    await waitState(b, 'closed');

    const c = new IrcClient(opts({ account: 'dora', password: 'nope-nope' }));
    const bad = waitAuth(c, 'login-failed');
    c.connect();
    await bad;
    await waitState(c, 'connected'); // registration was not held
    assert.equal(c.account, null);
    c.quit();
    await waitState(c, 'closed');
  } finally {
    await srv.stop();
  }
});
