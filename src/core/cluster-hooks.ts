/**
 * What the core asks of the cluster (src/cluster/core-link.ts) when several nodes are one
 * server. `IrcServer.cluster` is null on one node: each hook is one null check.
 */
import type { Session } from './session.js';
import type { IrcMessage } from '../protocol/message.js';

export interface ClusterHooks {
  /** runs one command of a local session (`run`): publishes what changed, holds the acknowledgement */
  dispatch(s: Session, msg: IrcMessage, run: () => void): void;
  /** registration: true when `s`'s nick is claimed cluster-wide; false = claiming (it calls tryRegister again) */
  admit(s: Session): boolean;
  /** NICK of a registered session to another nick: claimed first, then renamed (or 433) */
  rename(s: Session, wanted: string, folded: string): void;
  /** a registered local session left (its QUIT was sent) */
  left(s: Session): void;
  /** registered users on the other nodes */
  remoteUsers(): number;
  /** every registered user, local and remote (WHO masks) */
  everyone(): Iterable<Session>;
}
