/**
 * A message on its way to many sessions. The body (`:source CMD params`) is serialized
 * once; each tag variant (time, msgid+tags, account: any combination) is built at most
 * once, on first use, so a fan-out to 500 members costs at most eight string builds, not 500.
 */
import { serializeParts, escapeTagValue } from '../protocol/index.js';
import { Cap } from './caps.js';

export class Outgoing {
  readonly body: string;
  readonly msgid: string;
  readonly time: number;
  /** already escaped client-only tags (`+key=value;...`), '' for none */
  readonly clientTags: string;
  #iso: string | undefined;
  /** the sender's account (account-tag), null = none; set before the first lineFor() */
  account: string | null = null;
  /** by variant bits: 1 time, 2 msgid + client tags, 4 account */
  #variants: (string | undefined)[] = [];

  constructor(
    source: string | null,
    command: string,
    params: readonly string[],
    msgid: string,
    time: number,
    clientTags = '',
  ) {
    this.body = serializeParts('', source, command, params);
    this.msgid = msgid;
    this.time = time;
    this.clientTags = clientTags;
  }

  get isoTime(): string {
    return (this.#iso ??= new Date(this.time).toISOString());
  }

  /** The line for a recipient with capability bits `caps`. */
  lineFor(caps: number): string {
    const v = ((caps & Cap.serverTime) !== 0 ? 1 : 0) | ((caps & Cap.messageTags) !== 0 ? 2 : 0) | ((caps & Cap.accountTag) !== 0 && this.account !== null ? 4 : 0);
    const cached = this.#variants[v];
    if (cached !== undefined) return cached;
    let tags = '';
    if (v & 1) tags = 'time=' + this.isoTime;
    if (v & 2) {
      tags += (tags ? ';' : '') + 'msgid=' + escapeTagValue(this.msgid);
      if (this.clientTags) tags += ';' + this.clientTags;
    }
    if (v & 4) tags += (tags ? ';' : '') + 'account=' + escapeTagValue(this.account!);
    const line = tags ? '@' + tags + ' ' + this.body : this.body;
    this.#variants[v] = line;
    return line;
  }
}
