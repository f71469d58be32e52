/**
 * Debian's irssi (in tmux) claims its nick the NickServ way: `/msg NickServ REGISTER`,
 * reconnect, `/msg NickServ IDENTIFY`; and logs in with SASL PLAIN configured the way the
 * README says (`/network add -sasl_username ... -sasl_password ... -sasl_mechanism PLAIN`).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.js';
import { IrssiHomes, irssiSkip } from '../helpers/irssi.js';
import { Tmux, eventually } from '../helpers/tmux.js';

const skip = irssiSkip;

let srv: RunningServer;
let tmux: Tmux;
const irssi = new IrssiHomes('acct');

before(async () => {
  if (skip) return;
  srv = await startServer({ accounts: { nickGraceSeconds: 60 } });
  tmux = new Tmux();
});

after(async () => {
  if (skip) return;
  tmux.kill();
  await srv.stop();
  irssi.removeAll();
});

const session = (nick: string) => [...srv.server.sessions].find((s) => s.nick === nick && s.registered);

test('irssi: /msg NickServ REGISTER, reconnect, /msg NickServ IDENTIFY', { skip, timeout: 60000 }, async () => {
  const home = irssi.create('carol');
  tmux.start('carol', `irssi --home=${home} -c 127.0.0.1 -p ${srv.port} -n carol`, { HOME: home, TERM: 'xterm' });
  await eventually(() => session('carol'), 'irssi carol registers');
  tmux.type('carol', '/msg NickServ REGISTER carols secret');
  await eventually(() => session('carol')?.account === 'carol', 'carol is registered and logged in');
  await eventually(() => /NickServ.*carol is now registered to you/.test(irssi.log('carol')), "irssi shows NickServ's answer");

  tmux.type('carol', '/disconnect');
  await eventually(() => session('carol') === undefined, 'carol gone');
  tmux.type('carol', `/connect 127.0.0.1 ${srv.port}`);
  await eventually(() => session('carol'), 'carol back');
  assert.equal(session('carol')!.account, null, 'a new connection is not logged in');
  await eventually(() => /NickServ.*The nick carol is registered\. If it is yours, log in/.test(irssi.log('carol')), 'irssi shows how to log in');
  tmux.type('carol', '/msg NickServ IDENTIFY carols secret');
  await eventually(() => session('carol')?.account === 'carol', 'IDENTIFY logs carol in');
  await eventually(() => /NickServ.*You are now logged in as carol\./.test(irssi.log('carol')), 'irssi shows it');
  assert.equal(session('carol')!.nickGuardSince, 0, 'no rename pending');
  tmux.type('carol', '/quit');
});

test('irssi: SASL PLAIN set up with /network add -sasl_username -sasl_password -sasl_mechanism PLAIN', { skip, timeout: 60000 }, async () => {
  // the account, made from a raw REGISTER-capable path: NickServ above made carol
  await eventually(() => srv.server.accounts.get('carol'), 'carol account exists');
  const home = irssi.create('carolsasl');
  tmux.start('sasl', `irssi --home=${home} -n carol`, { HOME: home, TERM: 'xterm' });
  await eventually(() => /\[\(status\)\]|Irssi v/.test(tmux.screen('sasl')), 'irssi started');
  tmux.type('sasl', '/network add -sasl_username carol -sasl_password "carols secret" -sasl_mechanism PLAIN tincan');
  tmux.type('sasl', `/server add -network tincan 127.0.0.1 ${srv.port}`);
  tmux.type('sasl', '/connect tincan');
  await eventually(() => session('carol')?.account === 'carol', 'irssi logged in with SASL', 20000);
  await eventually(() => /You are now logged in as carol/.test(tmux.screen('sasl')), 'irssi shows 900');
  tmux.type('sasl', '/quit');
});

// (Debian's irssi 1.4 has no SCRAM-SHA-256: "Unsupported SASL mechanism"; test/e2e/accounts.test.ts
// covers SCRAM with a client written from RFC 5802.)
