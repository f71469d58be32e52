/**
 * A shared file in the log (the server's "shared NAME (SIZE) URL" action, see
 * src/files/message.ts): its name and size as a download link, and an image shown inline
 * when it is one of the types the server serves inline and it comes from this server
 * (the page's CSP allows images from its own origin only).
 */
import { parseShare } from '../shared/uploads.js';

export function SharedFile({ text }: { text: string }) {
  const f = parseShare(text);
  if (f === null) return null;
  let url: URL;
  try {
    url = new URL(f.url);
  } catch {
    return null;
  }
  // this server under another address (the uploader's Host): fetched from the page's own
  // origin; a link to another server is only a link (the page's CSP would block its image)
  const local = typeof location !== 'undefined' && (url.origin === location.origin || url.port === location.port);
  const here = local ? location.origin + url.pathname : f.url;
  return (
    <div class="shared-file">
      <a href={here} download={f.name} rel="noopener noreferrer nofollow">
        {f.name}
      </a>{' '}
      <span class="muted">{f.size}</span>
      {f.image && local && (
        <a href={here} target="_blank" rel="noopener noreferrer nofollow" class="preview">
          <img src={here} alt={f.name} loading="lazy" />
        </a>
      )}
    </div>
  );
}
