/**
 * Strips telnet commands (RFC 854) from a byte stream, so a `telnet HOST 4444` user's
 * text reaches the plain dialect clean. Stateful across chunks: a command split between
 * two TCP segments is still removed whole.
 *
 * - IAC IAC is a literal 0xFF byte (kept; it is not valid UTF-8, so the line decoder
 *   turns it into U+FFFD like any other stray byte);
 * - IAC WILL/WONT/DO/DONT <option> (3 bytes) and IAC SB ... IAC SE are dropped;
 * - any other IAC <command> (NOP, AYT, IP, GA, ...) is dropped (2 bytes);
 * - NUL bytes (telnet sends CR NUL for a bare CR) are dropped.
 *
 * It never answers negotiation: we neither offer nor accept options, which telnet
 * clients treat as "stay in the default NVT mode" (line by line, local echo).
 * Not here: line framing (line-reader.ts), text decoding.
 */
const IAC = 255;
const DONT = 254;
const WILL = 251;
const SB = 250;
const SE = 240;

const enum State {
  Data,
  Iac,
  Option,
  Sub,
  SubIac,
}

/** Returns a filter function; keep one per connection. */
export function createTelnetFilter(): (chunk: Buffer) => Buffer {
  let state = State.Data;
  return (chunk: Buffer): Buffer => {
    // fast path: nothing to strip and no command in progress
    if (state === State.Data && chunk.indexOf(IAC) === -1 && chunk.indexOf(0) === -1) return chunk;
    const out = Buffer.allocUnsafe(chunk.length);
    let o = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      switch (state) {
        case State.Data:
          if (b === IAC) state = State.Iac;
          else if (b !== 0) out[o++] = b;
          break;
        case State.Iac:
          if (b === IAC) {
            out[o++] = b;
            state = State.Data;
          } else if (b >= WILL && b <= DONT) state = State.Option;
          else if (b === SB) state = State.Sub;
          else state = State.Data;
          break;
        case State.Option:
          state = State.Data;
          break;
        case State.Sub:
          if (b === IAC) state = State.SubIac;
          break;
        case State.SubIac:
          state = b === SE ? State.Data : State.Sub;
          break;
      }
    }
    return out.subarray(0, o);
  };
}
