/** The dialects a detected connection can be put behind (the transports' gateway imports this). */
export { PlainConnection, PARTIAL_FLUSH_MS, type PlainOptions } from './plain.js';
export { createTelnetFilter } from './telnet.js';
