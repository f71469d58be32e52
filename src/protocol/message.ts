/**
 * The IRC message model shared by the server, the terminal client and the web client.
 * Pure data: no I/O, no node: imports.
 */

/** One IRC message. `tags` holds unescaped values ('' for a tag without value). */
export interface IrcMessage {
  tags: Map<string, string> | null;
  /** prefix without the leading ':' (nick!user@host or a server name), or null */
  source: string | null;
  /** upper-cased command word or 3-digit numeric */
  command: string;
  params: string[];
}

export type ParseErrorKind =
  | 'empty' // nothing but whitespace
  | 'input-too-long' // body (everything after tags) over 512 bytes with CRLF
  | 'tags-too-long' // tag section over 8191 bytes
  | 'malformed-tags' // e.g. '@' with nothing after it, empty tag key
  | 'malformed-source' // ':' with nothing after it
  | 'no-command' // tags/source but no command
  | 'invalid-command'; // command neither letters nor 3 digits

export type ParseResult =
  | { ok: true; msg: IrcMessage }
  | { ok: false; error: ParseErrorKind; /** best-effort command word, for ERR_INPUTTOOLONG etc. */ command?: string };
