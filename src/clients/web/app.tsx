/**
 * The browser client's UI (Preact): nick picker, room list with unread/mention badges,
 * message log with scrollback, composer with slash commands and Tab completion, member
 * list, topic, search, connection banner. All IRC state lives in ChatClient; this file
 * only renders it and turns clicks and keys into client calls.
 *
 * Layout: three columns on a desktop; below 760 px the room and member lists become
 * drawers (☰ and 👥 buttons, Esc closes). Keyboard: Alt+↑/↓ switch rooms, Alt+1…9 jump,
 * Tab completes nicks/commands, ↑ recalls the last line, Esc closes panels.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { isValidNick } from '../../protocol/index.js';
import { ChatClient, type Buffer, type Line, SERVER_KEY } from './client.js';
import { complete, runInput } from './commands.js';
import { linkify, nickColourClass, timeLabel } from './format.js';
import { webSocketConnector, wsUrl } from './socket.js';

const NICK_KEY = 'tincan.nick';
const ROOMS_KEY = 'tincan.rooms';
/** the server password: this tab only (sessionStorage), never localStorage */
const PASSWORD_KEY = 'tincan.password';
const DEFAULT_ROOMS = ['#lobby'];

function load(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}
function save(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    /* private mode: nothing remembered */
  }
}

function loadSession(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}
function saveSession(key: string, value: string | null): void {
  try {
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, value);
  } catch {
    /* storage off: asked again after a reload */
  }
}

function savedRooms(): string[] {
  try {
    const v: unknown = JSON.parse(load(ROOMS_KEY) ?? 'null');
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    /* ignore */
  }
  return DEFAULT_ROOMS;
}

export function App() {
  const [client, setClient] = useState<ChatClient | null>(null);
  const [, setVersion] = useState(0);
  const rerender = (): void => setVersion((v) => v + 1);

  const start = (nick: string): void => {
    save(NICK_KEY, nick);
    const password = loadSession(PASSWORD_KEY);
    const c = new ChatClient({
      connect: webSocketConnector(wsUrl(location)),
      nick,
      channels: savedRooms(),
      ...(password !== null ? { password } : {}),
      // a /nick the server accepted: a reload comes back under it
      onNickChange: (n) => save(NICK_KEY, n),
      onChange: rerender,
      onMention: (b, line) => notify(c, b, line),
    });
    c.start();
    setClient(c);
  };

  useEffect(() => {
    const params = new URLSearchParams(location.search);
    const nick = params.get('nick') ?? load(NICK_KEY);
    if (nick !== null && isValidNick(nick, 30) && params.get('pick') === null) start(nick);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  if (client === null) return <Login onStart={start} />;
  return (
    <Chat
      client={client}
      onQuit={() => {
        client.stop('Leaving');
        save(NICK_KEY, null);
        saveSession(PASSWORD_KEY, null);
        setClient(null);
      }}
    />
  );
}

function notify(c: ChatClient, b: Buffer, line: Line): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  if (!document.hidden && c.active === b.key) return;
  const n = new Notification(b.kind === 'query' ? line.nick : `${line.nick} in ${b.name}`, { body: line.text, tag: b.key });
  n.onclick = () => {
    window.focus();
    c.setActive(b.key);
    n.close();
  };
}

function Login({ onStart }: { onStart: (nick: string) => void }) {
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

type Drawer = 'none' | 'rooms' | 'members';

function Chat({ client, onQuit }: { client: ChatClient; onQuit: () => void }) {
  const [drawer, setDrawer] = useState<Drawer>('none');
  const b = client.activeBuffer;
  const buffers = client.orderedBuffers();
  const inputRef = useRef<HTMLInputElement>(null);

  // remember rooms; show mentions in the title
  const rooms = client.wantedChannels().join(',');
  useEffect(() => save(ROOMS_KEY, JSON.stringify(rooms === '' ? [] : rooms.split(','))), [rooms]);
  const mentionsTotal = buffers.reduce((n, x) => n + x.mentions, 0);
  useEffect(() => {
    document.title = (mentionsTotal > 0 ? `(${mentionsTotal}) ` : '') + (b.kind === 'server' ? 'tincan' : `${b.name} · tincan`);
  }, [mentionsTotal, b.name, b.kind]);

  const go = (key: string): void => {
    client.setActive(key);
    setDrawer('none');
    inputRef.current?.focus();
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') {
        if (client.search !== null) client.closeSearch();
        setDrawer('none');
        return;
      }
      if (!e.altKey) return;
      const list = client.orderedBuffers();
      const i = list.findIndex((x) => x.key === client.active);
      let to: Buffer | undefined;
      if (e.key === 'ArrowUp') to = list[(i - 1 + list.length) % list.length];
      else if (e.key === 'ArrowDown') to = list[(i + 1) % list.length];
      else if (/^[1-9]$/.test(e.key)) to = list[Number(e.key) - 1];
      if (to !== undefined) {
        e.preventDefault();
        go(to.key);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [client]);

  const members = b.kind === 'channel' ? client.sortedMembers(b) : [];
  return (
    <div class={`app drawer-${drawer}${b.kind === 'channel' ? ' has-members' : ''}`}>
      <header class="top">
        <button class="icon only-narrow" aria-label="Rooms" aria-expanded={drawer === 'rooms'} onClick={() => setDrawer(drawer === 'rooms' ? 'none' : 'rooms')}>
          <MenuIcon />
          {buffers.some((x) => x.mentions > 0 && x.key !== b.key) && <span class="dot" aria-label="new mentions" />}
        </button>
        <div class="heading">
          <h1>{b.kind === 'server' ? 'Server' : b.name}</h1>
          {b.kind === 'channel' && (
            <p class="topic" title={b.topic}>
              {b.topic === '' ? 'No topic' : <Rich text={b.topic} />}
            </p>
          )}
          {b.kind === 'query' && <p class="topic">Private conversation</p>}
        </div>
        <SecureBadge />
        {client.searchAvailable && <SearchBox client={client} />}
        {b.kind === 'channel' && (
          <button class="icon people" aria-label={`People (${members.length})`} aria-expanded={drawer === 'members'} onClick={() => setDrawer(drawer === 'members' ? 'none' : 'members')}>
            <PeopleIcon />
            <span class="count">{members.length}</span>
          </button>
        )}
      </header>

      <nav class="rooms" aria-label="Rooms">
        <ul>
          {buffers.map((x) => (
            <li key={x.key}>
              <button class={`room${x.key === b.key ? ' active' : ''}${x.kind === 'channel' && !x.joined ? ' left' : ''}`} aria-current={x.key === b.key ? 'page' : undefined} onClick={() => go(x.key)}>
                <span class="name">{x.kind === 'server' ? 'Server' : x.name}</span>
                {x.mentions > 0 ? (
                  <span class="badge mention" aria-label={`${x.mentions} mentions`}>
                    {x.mentions}
                  </span>
                ) : x.unread > 0 ? (
                  <span class="badge" aria-label={`${x.unread} unread`}>
                    {x.unread}
                  </span>
                ) : null}
              </button>
            </li>
          ))}
        </ul>
        <JoinForm client={client} onDone={() => setDrawer('none')} />
        <div class="me">
          <span class={`nick ${nickColourClass(client.nick)}`}>{client.nick}</span>
          <button class="small" onClick={() => client.send('AWAY', ...(client.away ? [] : ['away']))} aria-pressed={client.away}>
            {client.away ? 'Away' : 'Here'}
          </button>
          <NotifyButton />
          <button class="small" onClick={onQuit}>
            Log out
          </button>
        </div>
      </nav>

      <main class="chat">
        <Banner client={client} />
        <Log client={client} buffer={b} />
        <Composer client={client} inputRef={inputRef} onQuit={onQuit} />
      </main>

      {b.kind === 'channel' && (
        <aside class="members" aria-label="People in this room">
          <h2>
            People <span class="muted">{members.length}</span>
          </h2>
          <ul>
            {members.map((m) => (
              <li key={m.nick} class={m.away ? 'away' : ''}>
                <button class="member" onClick={() => (client.fold(m.nick) === client.fold(client.nick) ? undefined : (client.openQuery(m.nick), setDrawer('none')))} title={m.away ? `${m.nick} is away` : `Message ${m.nick}`}>
                  <span class="prefix">{m.prefix.slice(0, 1)}</span>
                  <span class={`nick ${nickColourClass(m.nick)}`}>{m.nick}</span>
                  {m.away && <span class="muted"> away</span>}
                </button>
              </li>
            ))}
          </ul>
        </aside>
      )}
      {drawer !== 'none' && <div class="scrim" onClick={() => setDrawer('none')} />}
      {client.search !== null && <SearchResults client={client} onGo={go} />}
    </div>
  );
}

function PeopleIcon() {
  return (
    <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true" fill="currentColor">
      <circle cx="9" cy="8" r="3.5" />
      <path d="M2 20c0-3.9 3.1-6.5 7-6.5s7 2.6 7 6.5z" />
      <circle cx="17" cy="9" r="2.8" opacity=".65" />
      <path d="M17 13.5c3 0 5 2.2 5 5.5h-4.6c-.2-2.2-1-4-2.4-5.3.6-.1 1.3-.2 2-.2z" opacity=".65" />
    </svg>
  );
}

function MenuIcon() {
  return (
    <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true" fill="currentColor">
      <rect x="3" y="5" width="18" height="2.2" rx="1" />
      <rect x="3" y="11" width="18" height="2.2" rx="1" />
      <rect x="3" y="17" width="18" height="2.2" rx="1" />
    </svg>
  );
}

function NotifyButton() {
  const [perm, setPerm] = useState(typeof Notification === 'undefined' ? 'denied' : Notification.permission);
  if (perm !== 'default') return null;
  return (
    <button class="small" onClick={() => void Notification.requestPermission().then(setPerm)} title="Notify me when someone mentions me">
      Notify me
    </button>
  );
}

function JoinForm({ client, onDone }: { client: ChatClient; onDone: () => void }) {
  const [room, setRoom] = useState('');
  return (
    <form
      class="join-form"
      onSubmit={(e) => {
        e.preventDefault();
        const r = room.trim();
        if (r === '') return;
        client.joinAndFocus(client.isChannel(r) ? r : '#' + r);
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
function PasswordPrompt({ client }: { client: ChatClient }) {
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

function Banner({ client }: { client: ChatClient }) {
  const [, setTick] = useState(0);
  const tick = (): void => setTick((v) => v + 1);
  useEffect(() => {
    if (client.status !== 'waiting') return;
    const t = setInterval(tick, 1000);
    return () => clearInterval(t);
  }, [client.status]);
  if (client.status === 'connected') return null;
  if (client.status === 'password') return <PasswordPrompt client={client} />;
  let text: string;
  if (client.status === 'waiting') text = `Disconnected. Reconnecting in ${Math.max(0, Math.ceil((client.retryAt - Date.now()) / 1000))} s…`;
  else if (client.status === 'idle') text = 'Not connected';
  else text = 'Connecting…';
  return (
    <div class="banner" role="status">
      {text}
      {client.status === 'waiting' && (
        <button class="small" onClick={() => client.reconnectNow()}>
          Retry now
        </button>
      )}
    </div>
  );
}

/** Text with clickable links (http/https only; opened in a new tab without referrer). */
function Rich({ text }: { text: string }) {
  const segs = useMemo(() => linkify(text), [text]);
  return (
    <>
      {segs.map((s, i) =>
        s.href !== undefined ? (
          <a key={i} href={s.href} target="_blank" rel="noopener noreferrer nofollow">
            {s.text}
          </a>
        ) : (
          s.text
        ),
      )}
    </>
  );
}

function describe(l: Line): string {
  switch (l.kind) {
    case 'join':
      return l.self ? l.text || 'You joined' : `${l.nick} joined`;
    case 'part':
      return `${l.nick} left${l.text ? ` (${l.text})` : ''}`;
    case 'quit':
      return `${l.nick} quit${l.text ? ` (${l.text})` : ''}`;
    case 'kick':
      return `${l.nick} removed ${l.text}`;
    case 'nick':
      return `${l.nick} is now ${l.text}`;
    case 'topic':
      return `${l.nick} set the topic: ${l.text}`;
    case 'mode':
      return `${l.nick} set mode ${l.text}`;
    default:
      return l.text;
  }
}

export function LineView({ l, where }: { l: Line; where?: string }) {
  const t = new Date(l.time);
  const time = (
    <time dateTime={t.toISOString()} title={t.toLocaleString()}>
      {timeLabel(l.time)}
    </time>
  );
  if (l.kind === 'msg' || l.kind === 'notice') {
    return (
      <div class={`line ${l.kind}${l.mention ? ' mention' : ''}${l.self ? ' self' : ''}`}>
        {time}
        {where !== undefined && <span class="where">{where}</span>}
        <span class={`nick ${nickColourClass(l.nick)}`}>{l.kind === 'notice' ? `-${l.nick}-` : l.nick}</span>
        <span class="text">
          <Rich text={l.text} />
        </span>
      </div>
    );
  }
  if (l.kind === 'action') {
    return (
      <div class={`line action${l.mention ? ' mention' : ''}`}>
        {time}
        {where !== undefined && <span class="where">{where}</span>}
        <span class="text">
          * <span class={`nick ${nickColourClass(l.nick)}`}>{l.nick}</span> <Rich text={l.text} />
        </span>
      </div>
    );
  }
  return (
    <div class={`line event ${l.kind}`}>
      {time}
      <span class="text">
        <Rich text={describe(l)} />
      </span>
    </div>
  );
}

function Log({ client, buffer }: { client: ChatClient; buffer: Buffer }) {
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const firstId = useRef<{ key: string; id: number; height: number } | null>(null);
  const lines = buffer.lines;

  // Keep the view pinned to the bottom unless the reader scrolled up; keep the position
  // when older lines are prepended.
  useLayoutEffect(() => {
    const el = ref.current;
    if (el === null) return;
    const prev = firstId.current;
    const first = lines[0]?.id ?? 0;
    if (prev !== null && prev.key === buffer.key && prev.id !== first && !atBottom.current) {
      el.scrollTop += el.scrollHeight - prev.height;
    } else if (atBottom.current || prev === null || prev.key !== buffer.key) {
      el.scrollTop = el.scrollHeight;
      atBottom.current = true;
    }
    firstId.current = { key: buffer.key, id: first, height: el.scrollHeight };
  });

  // History is fetched on first view of a joined buffer with nothing loaded yet.
  useEffect(() => {
    if (buffer.kind !== 'server' && client.historyAvailable && buffer.lines.every((l) => l.kind === 'info' || l.kind === 'join' || l.kind === 'error') && !buffer.historyComplete) {
      client.loadOlder(buffer.key);
    }
  }, [buffer.key, client.historyAvailable, client.status]);

  const canLoad = client.historyAvailable && buffer.kind !== 'server' && !buffer.historyComplete;
  return (
    <div
      class="log"
      ref={ref}
      role="log"
      aria-live="polite"
      aria-label={`Messages in ${buffer.kind === 'server' ? 'server window' : buffer.name}`}
      tabIndex={0}
      onScroll={(e) => {
        const el = e.currentTarget;
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 30;
        if (el.scrollTop < 60 && canLoad) client.loadOlder(buffer.key);
      }}
    >
      {canLoad && (
        <button class="older small" disabled={buffer.historyLoading} onClick={() => client.loadOlder(buffer.key)}>
          {buffer.historyLoading ? 'Loading…' : 'Load older messages'}
        </button>
      )}
      {buffer.historyComplete && buffer.kind !== 'server' && <p class="muted start">Start of history</p>}
      {lines.map((l) => (
        <LineView key={l.id} l={l} />
      ))}
    </div>
  );
}

function Composer({ client, inputRef, onQuit }: { client: ChatClient; inputRef: { current: HTMLInputElement | null }; onQuit: () => void }) {
  const [text, setText] = useState('');
  const sent = useRef<string[]>([]);
  const recall = useRef(-1);
  const b = client.activeBuffer;
  const placeholder = b.kind === 'server' ? 'Type /join #room or /help' : `Message ${b.name}`;
  const submit = (): void => {
    const t = text;
    if (t.trim() === '') return;
    sent.current.push(t);
    if (sent.current.length > 50) sent.current.shift();
    recall.current = -1;
    setText('');
    const r = runInput(client, t);
    if (r.ui === 'quit') onQuit();
  };
  return (
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
      <input
        id="composer"
        ref={inputRef}
        value={text}
        placeholder={placeholder}
        autoComplete="off"
        enterKeyHint="send"
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          const el = e.currentTarget;
          if (e.key === 'Tab' && !e.shiftKey && text !== '') {
            const r = complete(client, text, el.selectionStart ?? text.length);
            if (r !== null) {
              e.preventDefault();
              setText(r.text);
              requestAnimationFrame(() => el.setSelectionRange(r.cursor, r.cursor));
            }
          } else if (e.key === 'ArrowUp' && (text === '' || recall.current !== -1) && sent.current.length > 0) {
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
  );
}

function SearchBox({ client }: { client: ChatClient }) {
  const [q, setQ] = useState('');
  const b = client.activeBuffer;
  return (
    <form
      class="search"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        if (q.trim() !== '') client.runSearch(q.trim(), b.kind === 'server' ? undefined : b.name);
      }}
    >
      <label class="sr" for="search">
        Search messages
      </label>
      <input id="search" type="search" placeholder="Search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
    </form>
  );
}

function SearchResults({ client, onGo }: { client: ChatClient; onGo: (key: string) => void }) {
  const s = client.search!;
  return (
    <section class="results" aria-label="Search results">
      <header>
        <h2>
          Results for “{s.query}” {s.pending ? '…' : `(${s.results.length})`}
        </h2>
        <button class="small" onClick={() => client.closeSearch()}>
          Close
        </button>
      </header>
      <div class="list">
        {!s.pending && s.results.length === 0 && <p class="muted">Nothing found</p>}
        {s.results.map((l) => (
          <button
            key={l.id}
            class="result"
            onClick={() => {
              const key = client.fold(l.where ?? '');
              client.closeSearch();
              if (client.buffers.has(key)) onGo(key);
            }}
          >
            <LineView l={l} {...(l.where !== undefined ? { where: l.where } : {})} />
          </button>
        ))}
      </div>
    </section>
  );
}

export { SERVER_KEY };

/** Whether this page and its WebSocket (same origin: https means wss) are encrypted. */
function SecureBadge() {
  const secure = typeof location !== 'undefined' && location.protocol === 'https:';
  return (
    <span
      class={`secure ${secure ? 'on' : 'off'}`}
      role="status"
      title={secure ? 'Encrypted (TLS): others on the network cannot read this chat' : 'Not encrypted: others on this network can read it. Open the https:// address to encrypt.'}
    >
      {secure ? '🔒 Encrypted' : 'Not encrypted'}
    </span>
  );
}
