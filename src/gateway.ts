/**
 * The gateway: which dialect serves a connection once the transport has detected what
 * it speaks. Transports detect and frame; they import no dialect. Today one choice is
 * made here: plain text (netcat, telnet) gets the plain dialect over telnet-filtered,
 * partial-line-flushing framing. (IRC needs none; HTTP is web-server.ts.)
 */
import type { Config } from './config/types.js';
import type { PlainDialect } from './transports/tcp.js';
import { PlainConnection, PARTIAL_FLUSH_MS } from './dialects/plain.js';
import { createTelnetFilter } from './dialects/telnet.js';

/** The plain-text dialect for startTcpListener's `detect.plain`. */
export function plainDialect(config: () => Config): PlainDialect {
  return {
    framing: () => ({ inputFilter: createTelnetFilter(), flushPartialAfterMs: PARTIAL_FLUSH_MS }),
    wrap: (inner, { lurking, handOff }) => new PlainConnection(inner, { config, lurking, ...(handOff !== undefined ? { handOff } : {}) }),
  };
}
