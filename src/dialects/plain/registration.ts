/**
 * The plain user's way in, as a state machine:
 *
 *   password --(typed line: PASS)--> registering --(001)--> joining --(first room's
 *   names end, or it can't be joined)--> ready;  any --(socket closed)--> closed
 *
 * `registering`: NICK guestNNNN + USER sent; a taken or refused guest nick is replaced
 * (at most MAX_NICK_TRIES times). `joining`: JOIN config.defaultChannel sent. Lines typed
 * before `ready` are held (at most MAX_PENDING) and delivered in order once ready.
 * Reactions to the core go through `later` (a microtask), never from inside its write().
 */
import type { Config } from '../../config/types.js';

export type RegistrationState = 'password' | 'registering' | 'joining' | 'ready' | 'closed';

/** Typed lines held while registering / joining the first room. */
export const MAX_PENDING = 50;
/** Guest nick attempts before giving up on registration. */
export const MAX_NICK_TRIES = 20;

export interface RegistrationHost {
  config: () => Config;
  guestNick: () => string;
  toCore(command: string, params: string[]): void;
  /** runs fn after the core has finished what it is doing now (not once closed) */
  later(fn: () => void): void;
  show(lines: readonly string[]): void;
  /** a line the user typed, once ready */
  typed(text: string): void;
}

export class Registration {
  #state: RegistrationState = 'registering';
  #nickTries = 0;
  #pending: string[] = [];
  readonly #host: RegistrationHost;

  constructor(host: RegistrationHost) {
    this.#host = host;
  }

  get state(): RegistrationState {
    return this.#state;
  }

  /** On attach: ask for the server password, or register right away. */
  start(): void {
    if (this.#host.config().password !== null) {
      this.#state = 'password';
      this.#host.show(['* This tincan server needs a password. Type it and press Enter:']);
    } else {
      this.#register();
    }
  }

  /** One cleaned, non-blank line the user typed. */
  input(text: string): void {
    switch (this.#state) {
      case 'closed':
        return;
      case 'password':
        this.#host.toCore('PASS', [text]);
        this.#register();
        return;
      case 'registering':
      case 'joining':
        if (this.#pending.length < MAX_PENDING) this.#pending.push(text);
        return;
      case 'ready':
        this.#host.typed(text);
    }
  }

  /** RPL_WELCOME: join the default room. */
  welcomed(): void {
    this.#state = 'joining';
    const channel = this.#host.config().defaultChannel;
    this.#host.later(() => this.#host.toCore('JOIN', [channel]));
  }

  /**
   * The guest nick was taken or refused. While registering: try another (no lines) or
   * give up (one error line). Otherwise null: it was the user's own /nick.
   */
  nickRejected(): string[] | null {
    if (this.#state !== 'registering') return null;
    if (this.#nickTries >= MAX_NICK_TRIES) return ['! Could not find a free guest name; please reconnect.'];
    const next = this.#nextGuest();
    this.#host.later(() => this.#host.toCore('NICK', [next]));
    return [];
  }

  /** An error arrived: if it was the first room that failed (banned, invite-only...), let the user type anyway. */
  failed(): void {
    if (this.#state === 'joining') this.#host.later(() => this.ready());
  }

  /** The first room's welcome was shown: deliver what was typed meanwhile. */
  ready(): void {
    if (this.#state === 'ready' || this.#state === 'closed') return;
    this.#state = 'ready';
    const held = this.#pending;
    this.#pending = [];
    for (const t of held) this.#host.typed(t);
  }

  closed(): void {
    this.#state = 'closed';
  }

  #register(): void {
    this.#state = 'registering';
    // server-time: replayed history keeps its own time in a tag, shown as [HH:MM]
    this.#host.toCore('CAP', ['REQ', 'server-time']);
    this.#host.toCore('NICK', [this.#nextGuest()]);
    this.#host.toCore('USER', ['guest', '0', '*', 'plain text user']);
    this.#host.toCore('CAP', ['END']);
  }

  #nextGuest(): string {
    this.#nickTries++;
    return this.#host.guestNick().slice(0, this.#host.config().limits.nickLength);
  }
}
