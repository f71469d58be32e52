/** The text toolkit shared by the server and every client (no node: imports). */
export { stripFormatting, stripControls, stripInvisible, cleanLine, displaySegments, BIDI_CONTROLS, type DisplaySegment } from './format.js';
export { mentions, mentionRanges } from './mentions.js';
export { splitMessage, splitLines, MIN_PART_BYTES } from './split.js';
