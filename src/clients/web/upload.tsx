/**
 * Sharing files from the browser: a button, dropping files anywhere on the page, or
 * pasting an image. Each file gets its own link from the server (UPLOAD, through the
 * shared requestUploadLink), then goes up with XMLHttpRequest (fetch reports no upload
 * progress) as a PUT to this page's own origin, with a progress bar. The room sees the
 * server's "shared NAME (SIZE) URL" line; images show inline (files.tsx).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { IrcClient } from '../shared/irc-client.js';
import { humanSize, requestUploadLink } from '../shared/uploads.js';

interface Job {
  id: number;
  name: string;
  size: number;
  loaded: number;
  state: 'asking' | 'sending' | 'done' | 'failed';
  error?: string;
}

/** Jobs shown at once; finished ones beyond it are dropped. */
const MAX_JOBS = 8;
let nextJob = 1;

function put(path: string, file: Blob, onProgress: (loaded: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', path);
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => (xhr.status === 201 ? resolve() : reject(new Error(xhr.responseText.trim() || `HTTP ${xhr.status}`)));
    xhr.onerror = () => reject(new Error('the upload was cut off'));
    xhr.send(file);
  });
}

export function Uploads({ client }: { client: IrcClient }) {
  const [jobs, setJobs] = useState<Job[]>([]);
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const b = client.active;
  const target = b.kind === 'server' ? null : b.name;

  const update = (id: number, patch: Partial<Job>): void => setJobs((js) => js.map((j) => (j.id === id ? { ...j, ...patch } : j)));
  const send = (files: readonly File[]): void => {
    if (target === null) return;
    for (const f of files) {
      const job: Job = { id: nextJob++, name: f.name || 'pasted-image.png', size: f.size, loaded: 0, state: 'asking' };
      setJobs((js) => [...js.filter((j) => j.state === 'asking' || j.state === 'sending').slice(-(MAX_JOBS - 1)), job]);
      requestUploadLink(client, target)
        .then((url) => {
          update(job.id, { state: 'sending' });
          // this page's origin, whatever host the server saw: same scheme, no mixed content
          return put(new URL(url).pathname + encodeURIComponent(job.name), f, (loaded) => update(job.id, { loaded }));
        })
        .then(
          () => update(job.id, { state: 'done', loaded: job.size }),
          (e: Error) => update(job.id, { state: 'failed', error: e.message }),
        );
    }
  };
  const sendRef = useRef(send);
  sendRef.current = send;

  useEffect(() => {
    const hasFiles = (e: DragEvent): boolean => [...(e.dataTransfer?.types ?? [])].includes('Files');
    const over = (e: DragEvent): void => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      setDragging(true);
    };
    const leave = (e: DragEvent): void => {
      if (e.relatedTarget === null) setDragging(false);
    };
    const drop = (e: DragEvent): void => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      setDragging(false);
      sendRef.current([...(e.dataTransfer?.files ?? [])]);
    };
    const paste = (e: ClipboardEvent): void => {
      const files = [...(e.clipboardData?.files ?? [])];
      if (files.length === 0) return;
      e.preventDefault();
      sendRef.current(files);
    };
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    document.addEventListener('paste', paste);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
      document.removeEventListener('paste', paste);
    };
  }, []);

  return (
    <div class="uploads">
      {dragging && target !== null && <div class="drop-hint">Drop to share with {target}</div>}
      {jobs.length > 0 && (
        <ul class="jobs" aria-label="Uploads">
          {jobs.map((j) => (
            <li key={j.id} class={`job ${j.state}`}>
              <span class="name">{j.name}</span> <span class="muted">{humanSize(j.size)}</span>{' '}
              {j.state === 'failed' ? (
                <span class="error" role="alert">
                  {j.error}
                </span>
              ) : (
                <progress max={Math.max(1, j.size)} value={j.loaded} aria-label={`Uploading ${j.name}`}>
                  {Math.round((100 * j.loaded) / Math.max(1, j.size))}%
                </progress>
              )}
              {j.state === 'done' && <span class="muted"> shared</span>}
            </li>
          ))}
        </ul>
      )}
      <input
        ref={input}
        id="upload-file"
        type="file"
        multiple
        hidden
        onChange={(e) => {
          const el = e.currentTarget;
          send([...(el.files ?? [])]);
          el.value = '';
        }}
      />
      <button type="button" class="small attach" disabled={target === null} title={target === null ? 'Open a room to share a file' : `Share a file with ${target}`} onClick={() => input.current?.click()}>
        📎 Share a file
      </button>
    </div>
  );
}
