/**
 * TOKEN: device tokens for a logged-in session (src/accounts/tokens.ts), answered with
 * IRCv3 standard replies:
 *
 *   TOKEN NEW [:label]  -> NOTE TOKEN CREATED <id> <token> :<text>   (the token, once)
 *   TOKEN LIST          -> NOTE TOKEN ENTRY <id> <created-iso> :<label> ...  NOTE TOKEN END <n> :<text>
 *   TOKEN REVOKE <id>   -> NOTE TOKEN REVOKED <id> :<text>
 *   errors              -> FAIL TOKEN <ACCOUNT_REQUIRED|LIMIT_REACHED|NO_SUCH_TOKEN|INVALID_PARAMS|TEMPORARILY_UNAVAILABLE|UNKNOWN_SUBCOMMAND> ...
 *
 * The browser asks for one after a password login and logs in with it (SASL PLAIN, the
 * token as the password) on the next page load. Store writes answer through defer().
 */
import type { Session } from '../session.js';
import type { IrcServer } from '../server.js';
import type { CommandTable } from './types.js';
import { createDeviceToken, deviceTokens, MAX_DEVICE_TOKENS, revokeDeviceToken } from '../../accounts/tokens.js';

const fail = (s: Session, code: string, ...rest: string[]): void => s.serverMessage('FAIL', 'TOKEN', code, ...rest);
const note = (s: Session, ...rest: string[]): void => s.serverMessage('NOTE', 'TOKEN', ...rest);

function token(s: Session, msg: { params: string[] }, srv: IrcServer): void {
  const sub = msg.params[0]!.toUpperCase();
  const account = s.account;
  if (!srv.config.accounts.enabled || account === null) {
    fail(s, 'ACCOUNT_REQUIRED', 'Log in first: device tokens belong to an account');
    return;
  }
  switch (sub) {
    case 'NEW': {
      const reply = s.defer();
      createDeviceToken(srv.accounts, account, msg.params[1] ?? 'device', srv.now()).then(
        (r) =>
          reply(() => {
            if (!r.ok) {
              if (r.reason === 'limit') fail(s, 'LIMIT_REACHED', `At most ${MAX_DEVICE_TOKENS} device tokens per account: revoke one first (TOKEN LIST, TOKEN REVOKE id)`);
              else fail(s, 'ACCOUNT_REQUIRED', 'That account no longer exists');
              return;
            }
            s.log.info({ account, token: r.entry.id }, 'device token created');
            note(s, 'CREATED', r.entry.id, r.token, `Device token ${r.entry.id} for ${r.entry.label}: keep it secret, it is shown only once`);
          }),
        () => reply(() => fail(s, 'TEMPORARILY_UNAVAILABLE', 'The token could not be saved; try again later')),
      );
      return;
    }
    case 'LIST': {
      const rec = srv.accounts.get(account);
      const all = rec === undefined ? [] : deviceTokens(rec);
      for (const t of all) note(s, 'ENTRY', t.id, new Date(t.createdAt).toISOString(), t.label);
      note(s, 'END', String(all.length), `${all.length} device ${all.length === 1 ? 'token' : 'tokens'}`);
      return;
    }
    case 'REVOKE': {
      const id = msg.params[1];
      if (id === undefined || !/^[0-9a-f]{8}$/.test(id)) {
        fail(s, 'INVALID_PARAMS', 'Usage: TOKEN REVOKE <id> (the id from TOKEN LIST)');
        return;
      }
      const reply = s.defer();
      revokeDeviceToken(srv.accounts, account, id).then(
        (ok) =>
          reply(() => {
            if (!ok) {
              fail(s, 'NO_SUCH_TOKEN', id, `There is no device token ${id}`);
              return;
            }
            s.log.info({ account, token: id }, 'device token revoked');
            note(s, 'REVOKED', id, `Device token ${id} revoked`);
            // a lost device logged in with it is logged out now, not at its next reconnect
            const folded = srv.fold(account);
            for (const x of [...srv.sessions]) {
              if (x.loginTokenId === id && x.account !== null && srv.fold(x.account) === folded) srv.disconnect(x, 'TINCAN_ERR_TOKEN_REVOKED');
            }
          }),
        () => reply(() => fail(s, 'TEMPORARILY_UNAVAILABLE', 'The token could not be revoked; try again later')),
      );
      return;
    }
    default:
      fail(s, 'UNKNOWN_SUBCOMMAND', sub, 'Use TOKEN NEW [label], TOKEN LIST or TOKEN REVOKE <id>');
  }
}

export const tokenCommands: CommandTable = {
  TOKEN: { minParams: 1, handler: token },
};
