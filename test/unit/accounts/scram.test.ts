// SCRAM-SHA-256: the RFC 7677 test vector, and the AUTHENTICATE exchange end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scramKeys } from '../../../src/accounts/password.js';
import { scramFinish, scramStart } from '../../../src/accounts/scram.js';
import type { AccountRecord } from '../../../src/storage/types.js';
import { harness } from '../../helpers/harness.js';
import { ScramClient } from './scram-client.js';
import { b64, saslConnection, waitLine } from './util.js';

test('RFC 7677 test vector: our verifiers check its ClientProof and produce its ServerSignature', async () => {
  const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
  const keys = await scramKeys('pencil', salt, 4096);
  const record = {
    name: 'user',
    credentials: { scramSha256: { salt: salt.toString('base64'), iterations: 4096, storedKey: keys.storedKey.toString('base64'), serverKey: keys.serverKey.toString('base64') } },
  } as unknown as AccountRecord;
  const nonce = 'rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
  const serverFirst = `r=${nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`;
  const st = { name: 'user', record, clientFirstBare: 'n=user,r=rOprNGfwEbeRWgbNEkqO', serverFirst, nonce, gs2Header: 'n,,' };
  const final = `c=biws,r=${nonce},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`;
  assert.equal(scramFinish(st, final), 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
  assert.equal(scramFinish(st, final.replace('p=dHzb', 'p=dHzc')), null, 'a changed proof fails');
  assert.equal(scramFinish(st, final.replace('c=biws', 'c=eSws')), null, 'channel-binding header must match');
  assert.equal(scramFinish({ ...st, record: null }, final), null, 'unknown account fails');
});

test('scramStart refuses malformed client-first messages and channel binding', () => {
  const none = () => undefined;
  const fold = (x: string) => x.toLowerCase();
  for (const bad of ['', 'n,,', 'p=tls-unique,,n=u,r=abc', 'n,,n=,r=abc', 'n,,n=u', 'n,,n=a=b,r=abc', 'n,a=other,n=u,r=abc', 'x,,n=u,r=abc']) {
    assert.equal(scramStart(bad, none, fold), null, bad);
  }
  const ok = scramStart('n,,n=u,r=abc', none, fold)!;
  assert.match(ok.serverFirst, /^r=abc[A-Za-z0-9+/=]+,s=[A-Za-z0-9+/=]+,i=4096$/);
  const again = scramStart('n,,n=U,r=xyz', none, fold)!;
  assert.equal(again.serverFirst.split(',')[1], ok.serverFirst.split(',')[1], 'an unknown name gets a stable salt (no enumeration by salt)');
});

function lastAuth(lines: string[]): string {
  const l = lines.filter((x) => x.startsWith('AUTHENTICATE ')).pop()!;
  return Buffer.from(l.slice('AUTHENTICATE '.length), 'base64').toString();
}

test('AUTHENTICATE SCRAM-SHA-256 end to end: server-first, proof, server-final verified by the client, 900/903; a wrong password 904', async () => {
  const h = harness();
  try {
    const reg = h.client('alice');
    reg.recv('REGISTER * * :correct horse');
    await waitLine(reg, / REGISTER SUCCESS /);
    reg.recv('QUIT');

    const c = saslConnection(h, 'alice');
    c.recv('AUTHENTICATE SCRAM-SHA-256');
    assert.ok(c.take().includes('AUTHENTICATE +'));
    const client = new ScramClient('alice', 'correct horse');
    c.recv('AUTHENTICATE ' + b64(client.first()));
    const serverFirst = lastAuth(c.take());
    assert.match(serverFirst, /,i=4096$/);
    c.recv('AUTHENTICATE ' + b64(client.final(serverFirst)));
    const serverFinal = lastAuth(c.take());
    assert.ok(client.verify(serverFinal), `server-final ${serverFinal} proves the server's key`);
    assert.equal(c.lines.some((l) => / 90[03] /.test(l)), false, 'not logged in before the client accepts server-final');
    c.recv('AUTHENTICATE +');
    const done = c.take().join('\n');
    assert.match(done, / 900 alice alice!~alice@127\.0\.0\.1 alice :You are now logged in as alice/);
    assert.match(done, / 903 alice :SASL authentication successful/);

    const w = saslConnection(h, 'eve', '10.0.0.9');
    w.recv('AUTHENTICATE SCRAM-SHA-256');
    const bad = new ScramClient('alice', 'wrong password');
    w.recv('AUTHENTICATE ' + b64(bad.first()));
    w.recv('AUTHENTICATE ' + b64(bad.final(lastAuth(w.take()))));
    assert.match(w.take().join('\n'), / 904 eve :SASL authentication failed/);
  } finally {
    await h.close();
  }
});
