/** The command table's entry shape: checks here run once, centrally, in server.dispatch. */
import type { IrcMessage } from '../../protocol/message.js';
import type { Session } from '../session.js';
import type { IrcServer } from '../server.js';

export type Handler = (s: Session, msg: IrcMessage, srv: IrcServer) => void;

export interface CommandSpec {
  minParams: number;
  /** allowed before registration completes */
  preRegistration?: boolean;
  operOnly?: boolean;
  /** no ERR_NEEDMOREPARAMS (NOTICE, PONG: never answered) */
  silentOnMissing?: boolean;
  handler: Handler;
}

export type CommandTable = Record<string, CommandSpec>;
