/**
 * The browser client's smaller parts: the nick picker, the connection banner and the
 * password prompt, the composer (slash commands, Tab, ↑ recall), join and search boxes,
 * icons.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { isValidNick } from '../../protocol/index.js';
import type { IrcClient } from '../shared/irc-client.js';
import { complete, joinAndFocus, runInput } from './commands.js';
import { hasSecret } from '../shared/commands.js';
import { load, NICK_KEY, PASSWORD_KEY, saveSession } from './storage.js';
import type { ChatLine as Line } from '../shared/buffer.js';
import { Nick, plainText } from './log.js';

export function Login({ onStart }: { onStart: (nick: string) => void }) {
  const [nick, setNick] = useState(load(NICK_KEY) ?? '');
  const [err, setErr] = useState('');
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <main class="login">
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          const n = nick.trim();
          if (!isValidNick(n, 30)) {
            setErr('A nickname starts with a letter and has letters, digits or _-[]{}|^` (up to 30)');
            return;
          }
          onStart(n);
        }}
      >
        <h1>tincan</h1>
        <p class="sub">Chat with everyone on this network, here or from any IRC client.</p>
        <label for="nick">Choose a nickname</label>
        <input
          id="nick"
          ref={ref}
          value={nick}
          maxLength={30}
          autoComplete="nickname"
          autoCapitalize="off"
          spellcheck={false}
          onInput={(e) => setNick(e.currentTarget.value)}
          aria-invalid={err !== ''}
          aria-describedby="nick-err"
        />
        <p id="nick-err" class="err" role="alert">
          {err}
        </p>
        <button type="submit" class="primary">
          Start chatting
        </button>
      </form>
    </main>
  );
}

export function PeopleIcon() {
  return (
    <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true" fill="currentColor">
      <circle cx="9" cy="8" r="3.5" />
      <path d="M2 20c0-3.9 3.1-6.5 7-6.5s7 2.6 7 6.5z" />
      <circle cx="17" cy="9" r="2.8" opacity=".65" />
      <path d="M17 13.5c3 0 5 2.2 5 5.5h-4.6c-.2-2.2-1-4-2.4-5.3.6-.1 1.3-.2 2-.2z" opacity=".65" />
    </svg>
  );
}

export function MenuIcon() {
  return (
    <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true" fill="currentColor">
      <rect x="3" y="5" width="18" height="2.2" rx="1" />
      <rect x="3" y="11" width="18" height="2.2" rx="1" />
      <rect x="3" y="17" width="18" height="2.2" rx="1" />
    </svg>
  );
}

export function NotifyButton() {
  const [perm, setPerm] = useState(typeof Notification === 'undefined' ? 'denied' : Notification.permission);
  if (perm !== 'default') return null;
  return (
    <button class="small" onClick={() => void Notification.requestPermission().then(setPerm)} title="Notify me when someone mentions me">
      Notify me
    </button>
  );
}

export function JoinForm({ client, onDone }: { client: IrcClient; onDone: () => void }) {
  const [room, setRoom] = useState('');
  return (
    <form
      class="join-form"
      onSubmit={(e) => {
        e.preventDefault();
        const r = room.trim();
        if (r === '') return;
        joinAndFocus(client, client.isChannel(r) ? r : '#' + r);
        setRoom('');
        onDone();
      }}
    >
      <label class="sr" for="join-room">
        Join a room
      </label>
      <input id="join-room" placeholder="#room" value={room} autoCapitalize="off" spellcheck={false} onInput={(e) => setRoom(e.currentTarget.value)} />
      <button type="submit" class="small">
        Join
      </button>
    </form>
  );
}

/** The server wants a password (464): ask, then connect again with it. */
function PasswordPrompt({ client }: { client: IrcClient }) {
  const [pw, setPw] = useState('');
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    // a remembered password that was refused is forgotten
    saveSession(PASSWORD_KEY, null);
    ref.current?.focus();
  }, []);
  return (
    <form
      class="banner password"
      role="alert"
      onSubmit={(e) => {
        e.preventDefault();
        if (pw === '') return;
        saveSession(PASSWORD_KEY, pw);
        client.submitPassword(pw);
      }}
    >
      <label for="server-password">{client.password === null ? 'This server needs a password.' : 'Wrong password, try again.'}</label>
      <input id="server-password" ref={ref} type="password" autoComplete="current-password" value={pw} onInput={(e) => setPw(e.currentTarget.value)} />
      <button type="submit" class="small">
        Connect
      </button>
    </form>
  );
}

export function Banner({ client }: { client: IrcClient }) {
  const [, setTick] = useState(0);
  const tick = (): void => setTick((v) => v + 1);
  const waiting = client.state === 'disconnected' && client.retryAt !== null;
  useEffect(() => {
    if (!waiting) return;
    const t = setInterval(tick, 1000);
    return () => clearInterval(t);
  }, [waiting]);
  if (client.state === 'connected') return null;
  if (client.passwordError !== null && client.state === 'disconnected') return <PasswordPrompt client={client} />;
  let text: string;
  if (waiting) text = `Disconnected. Reconnecting in ${Math.max(0, Math.ceil((client.retryAt! - Date.now()) / 1000))} s…`;
  else if (client.state === 'disconnected' || client.state === 'closed') text = 'Not connected';
  else text = 'Connecting…';
  return (
    <div class="banner" role="status">
      {text}
      {waiting && (
        <button class="small" onClick={() => client.reconnectNow()}>
          Retry now
        </button>
      )}
    </div>
  );
}


export function Composer({
  client,
  inputRef,
  onQuit,
  reply,
  onReplyDone,
}: {
  client: IrcClient;
  inputRef: { current: HTMLTextAreaElement | null };
  onQuit: () => void;
  /** the message this one answers (absent: none) */
  reply?: Line | null;
  onReplyDone?: () => void;
}) {
  const [text, setText] = useState('');
  const sent = useRef<string[]>([]);
  const recall = useRef(-1);
  const b = client.active;
  const placeholder = b.kind === 'server' ? 'Type /join #room or /help' : reply ? `Reply to ${reply.nick ?? ''}` : `Message ${b.name}`;
  // leaving a window with text in the box: it is no longer being typed there
  useEffect(() => {
    const name = b.kind === 'server' ? null : b.name;
    return () => {
      if (name !== null) client.typingDone(name);
    };
  }, [b.id]);
  const edit = (v: string): void => {
    setText(v);
    if (b.kind !== 'server') client.typing(b.name, v);
  };
  const submit = (): void => {
    const t = text;
    if (t.trim() === '') return;
    // a line with a password (/register, /login) is not kept for ↑
    if (!hasSecret(t)) sent.current.push(t);
    if (sent.current.length > 50) sent.current.shift();
    recall.current = -1;
    setText('');
    const replyTo = reply?.msgid;
    if (reply && !t.startsWith('/')) onReplyDone?.();
    const r = runInput(client, t, replyTo !== undefined && !t.startsWith('/') ? { replyTo } : {});
    // (after the message: "done" must not make it look like they gave up)
    if (b.kind !== 'server') client.typingDone(b.name);
    if (r.ui === 'quit') onQuit();
    // the file picker of the Share button (upload.tsx)
    if (r.ui === 'upload') document.getElementById('upload-file')?.click();
  };
  return (
    <>
    {reply && (
      <div class="replying" role="status">
        <span>
          Replying to <Nick nick={reply.nick ?? ''} />: <span class="quoted">{plainText(reply.text).slice(0, 120)}</span>
        </span>
        <button class="small" aria-label="Cancel reply" onClick={() => onReplyDone?.()}>
          ✕
        </button>
      </div>
    )}
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label class="sr" for="composer">
        {placeholder}
      </label>
      {/* a textarea: Shift+Enter and pastes keep their line breaks (one multiline message) */}
      <textarea
        id="composer"
        ref={inputRef}
        value={text}
        placeholder={placeholder}
        autoComplete="off"
        enterKeyHint="send"
        rows={Math.min(8, text.split('\n').length)}
        onInput={(e) => edit(e.currentTarget.value)}
        onKeyDown={(e) => {
          const el = e.currentTarget;
          if (e.key === 'Escape' && reply) onReplyDone?.();
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            submit();
          } else if (e.key === 'Tab' && !e.shiftKey && text !== '') {
            const r = complete(client, text, el.selectionStart ?? text.length);
            if (r !== null) {
              e.preventDefault();
              setText(r.text);
              requestAnimationFrame(() => el.setSelectionRange(r.cursor, r.cursor));
            }
          } else if (e.key === 'ArrowUp' && (text === '' || (recall.current !== -1 && !text.includes('\n'))) && sent.current.length > 0) {
            e.preventDefault();
            recall.current = recall.current === -1 ? sent.current.length - 1 : Math.max(0, recall.current - 1);
            setText(sent.current[recall.current] ?? '');
          } else if (e.key === 'ArrowDown' && recall.current !== -1) {
            e.preventDefault();
            recall.current++;
            if (recall.current >= sent.current.length) {
              recall.current = -1;
              setText('');
            } else setText(sent.current[recall.current] ?? '');
          }
        }}
      />
      <button type="submit" class="primary" aria-label="Send">
        Send
      </button>
    </form>
    </>
  );
}

export function SearchBox({ client }: { client: IrcClient }) {
  const [q, setQ] = useState('');
  const b = client.active;
  return (
    <form
      class="search"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        if (q.trim() !== '') client.search(b.kind === 'channel' ? b.name : null, q.trim());
      }}
    >
      <label class="sr" for="search">
        Search messages
      </label>
      <input id="search" type="search" placeholder="Search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
    </form>
  );
}

