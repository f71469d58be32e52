/**
 * WHOWAS memory: the last few identities per nick, bounded in total (oldest nick
 * forgotten first), so a nick-change storm cannot grow it without limit.
 */
export interface WhowasEntry {
  nick: string;
  user: string;
  host: string;
  realname: string;
  at: number;
}

const PER_NICK = 5;

export class WhowasLog {
  #max: number;
  readonly #byNick = new Map<string, WhowasEntry[]>();

  constructor(max: number) {
    this.#max = max;
  }

  add(folded: string, s: { nick: string; user: string; host: string; realname: string }, at: number): void {
    if (this.#max <= 0) return;
    const list = this.#byNick.get(folded) ?? [];
    this.#byNick.delete(folded); // re-insert: most recent last
    list.unshift({ nick: s.nick, user: s.user, host: s.host, realname: s.realname, at });
    if (list.length > PER_NICK) list.length = PER_NICK;
    this.#byNick.set(folded, list);
    this.#trim();
  }

  get(folded: string): readonly WhowasEntry[] {
    return this.#byNick.get(folded) ?? [];
  }

  resize(max: number): void {
    this.#max = max;
    this.#trim();
  }

  #trim(): void {
    while (this.#byNick.size > this.#max) {
      const oldest = this.#byNick.keys().next().value;
      if (oldest === undefined) break;
      this.#byNick.delete(oldest);
    }
  }
}
