/**
 * How a shared file appears in chat, for the server (which posts it) and the clients
 * (which recognise it): a CTCP ACTION from the uploader, "shared NAME (SIZE) URL", which
 * every IRC client shows as "* alice shared photo.png (120 KB) http://…" and history
 * keeps like any message. Pure: no node: imports (the web client bundles it).
 */

/** Download paths: /f/<16 base64url characters>/<name>. */
export const FILE_ID_LENGTH = 16;
const ID = `[A-Za-z0-9_-]{${FILE_ID_LENGTH}}`;
export const DOWNLOAD_PATH = new RegExp(`^/f/(${ID})(?:/[^/]*)?$`);
/** Upload paths: /u/<token>/ with the file name after it (what `curl -T FILE URL/` sends). */
export const UPLOAD_PATH = /^\/u\/([A-Za-z0-9_-]{20,64})\/([^/]*)$/;

/** Types served inline (shown by browsers as images); everything else is an attachment. */
export const INLINE_TYPES: readonly string[] = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];

const UNITS = ['bytes', 'KB', 'MB', 'GB', 'TB'];

/** 1234567 -> "1.2 MB" (powers of 1024, one decimal below 10). */
export function humanSize(n: number): string {
  if (n < 1024) return `${n} ${n === 1 ? 'byte' : 'bytes'}`;
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? (Math.floor(v * 10) / 10).toFixed(1) : Math.floor(v)} ${UNITS[u]}`;
}

/** The ACTION text the server posts for a shared file. */
export function shareText(name: string, size: number, url: string): string {
  return `shared ${name} (${humanSize(size)}) ${url}`;
}

export interface SharedFile {
  name: string;
  /** as written, e.g. "1.2 MB" */
  size: string;
  url: string;
  /** true when the name says png/jpeg/gif/webp (the server decides from the bytes) */
  image: boolean;
}

const SHARE = new RegExp(`^shared (.+) \\((\\d+(?:\\.\\d)? (?:bytes?|KB|MB|GB|TB))\\) (https?://[^\\s/]+/f/${ID}/[^\\s]*)$`);

/** The file in an ACTION's text (without the \x01ACTION wrapper), or null. */
export function parseShare(text: string): SharedFile | null {
  const m = SHARE.exec(text);
  if (m === null) return null;
  return { name: m[1]!, size: m[2]!, url: m[3]!, image: /\.(png|jpe?g|gif|webp)$/i.test(m[3]!) };
}

/** A cleaned file name: no directories, controls, quotes or bidi marks, at most 100 characters, never empty. */
export function cleanFileName(raw: string): string {
  let s = raw.replace(/\\/g, '/');
  s = s.slice(s.lastIndexOf('/') + 1);
  // controls, quotes (Content-Disposition), bidi overrides and isolates, and whitespace runs
  // eslint-disable-next-line no-control-regex
  s = s.replace(/[\x00-\x1f\x7f"\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').replace(/\s+/g, ' ').trim();
  s = s.replace(/^\.+/, '');
  if ([...s].length > 100) {
    const dot = s.lastIndexOf('.');
    const ext = dot > 0 && s.length - dot <= 10 ? s.slice(dot) : '';
    s = [...s.slice(0, s.length - ext.length)].slice(0, 100 - ext.length).join('') + ext;
  }
  return s === '' ? 'file' : s;
}
