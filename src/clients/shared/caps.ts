/**
 * Client-side capability negotiation (CAP LS 302 / REQ / ACK / NAK / NEW / DEL / END):
 * asks for what the model uses among what the server offers, and ends negotiation once
 * every request is answered. Pure bookkeeping: the model sends what it is told to.
 */
/** Capabilities the client uses when the server offers them. */
export const WANTED_CAPS = [
  'server-time',
  'echo-message',
  'batch',
  'message-tags',
  'multi-prefix',
  'cap-notify',
  'away-notify',
  'draft/chathistory',
  'chathistory',
  // pastes and code blocks as one message (irc-client.ts, multiline.ts)
  'draft/multiline',
  // "delete" on your own messages, and "message deleted" for what others delete
  'draft/message-redaction',
] as const;

export class CapNegotiation {
  /** true: ask for `sasl` too (credentials are configured) */
  sasl: () => boolean = () => false;
  #lsDone = false;
  #pending = 0;

  constructor(
    /** enabled capabilities */
    readonly caps: Set<string>,
    /** offered capabilities (name -> value) */
    readonly offered: Map<string, string>,
    readonly extra: readonly string[] = [],
  ) {}

  reset(): void {
    this.#lsDone = false;
    this.#pending = 0;
    this.caps.clear();
    this.offered.clear();
  }

  /**
   * One CAP message's params (`* LS ...`); `registering`: CAP END may be sent. Returns
   * the CAP commands to send, each as params (e.g. ['REQ', 'batch server-time']).
   */
  onCap(p: readonly string[], registering: boolean): string[][] {
    const sub = (p[1] ?? '').toUpperCase();
    const more = p[2] === '*';
    const list = (more ? p[3] : p[2]) ?? '';
    const out: string[][] = [];
    if (sub === 'LS' || sub === 'NEW') {
      for (const tok of list.split(' ')) {
        if (!tok) continue;
        const eq = tok.indexOf('=');
        this.offered.set(eq < 0 ? tok : tok.slice(0, eq), eq < 0 ? '' : tok.slice(eq + 1));
      }
      if (more) return out;
      const names = sub === 'LS' ? [...this.offered.keys()] : list.split(' ').map((t) => t.split('=')[0] ?? '');
      let want = [...WANTED_CAPS, ...this.extra, ...(this.sasl() ? ['sasl'] : [])].filter((c) => names.includes(c) && !this.caps.has(c));
      if (want.includes('chathistory')) want = want.filter((c) => c !== 'draft/chathistory');
      if (sub === 'LS') this.#lsDone = true;
      if (want.length > 0) {
        this.#pending++;
        out.push(['REQ', want.join(' ')]);
      } else if (sub === 'LS') out.push(['END']);
    } else if (sub === 'ACK' || sub === 'NAK') {
      if (sub === 'ACK') {
        for (const c of list.split(' ')) {
          if (!c) continue;
          if (c.startsWith('-')) this.caps.delete(c.slice(1));
          else this.caps.add(c);
        }
      }
      this.#pending = Math.max(0, this.#pending - 1);
      if (this.#lsDone && this.#pending === 0 && registering) out.push(['END']);
    } else if (sub === 'DEL') {
      for (const c of list.split(' ')) this.caps.delete(c);
    }
    return out;
  }
}
