/**
 * What one plain user's connection knows about itself, shared by the renderer (which
 * learns it from the core: our nick, the rooms we joined or left), the command table
 * (which reads it: where typed lines go) and the registration state machine.
 */
import type { Config } from '../../config/types.js';

/** Nicks one plain user may ignore at once. */
export const MAX_IGNORED = 100;

export class PlainState {
  /** the nick the core knows this user by ('*' before registration) */
  nick = '*';
  /** rooms we are in (display names, join order) */
  rooms: string[] = [];
  /** where typed lines go */
  room: string | null = null;
  away = false;
  /** /bytes on: show the IRC lines this user's actions send (>>) and receive (<<) */
  bytes = false;
  /**
   * Nicks this user ignores (/ignore), casefolded -> as typed: their messages, notices
   * and invites are dropped here, on the server, since netcat has no client side. Follows
   * a nick change; at most MAX_IGNORED.
   */
  readonly ignored = new Map<string, string>();
  /** bumped for every error shown, to tell whether a command failed synchronously */
  errors = 0;
  readonly fold: (s: string) => string;
  readonly config: () => Config;
  /** nick and its casefolded form, for isMe */
  #myNick = '';
  #myFolded = '';

  constructor(config: () => Config, fold: (s: string) => string) {
    this.config = config;
    this.fold = fold;
  }

  isMe(nick: string): boolean {
    if (this.#myNick !== this.nick) {
      this.#myNick = this.nick;
      this.#myFolded = this.fold(this.nick);
    }
    // cheap exits first: this runs for every line of a fan-out
    return nick.length === this.nick.length && (nick === this.nick || this.fold(nick) === this.#myFolded);
  }

  ignores(nick: string): boolean {
    return this.ignored.size > 0 && this.ignored.has(this.fold(nick));
  }

  sameRoom(a: string | null, b: string): boolean {
    return a !== null && this.fold(a) === this.fold(b);
  }

  /** One of our rooms by name (any case), as we know it. */
  findRoom(name: string): string | undefined {
    return this.rooms.find((r) => this.sameRoom(r, name));
  }
}
