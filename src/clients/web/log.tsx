/**
 * The message log of the browser client: lines as the shared model made them, peer text
 * shown safely (src/text displaySegments: no controls, bidi controls as marks, <bdi>
 * isolation), links, nick colours per room, replayed join/quit runs folded, scrollback
 * that keeps its place, and the search results panel.
 */
import { createContext } from 'preact';
import { useContext, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { IrcClient } from '../shared/irc-client.js';
import type { ChatBuffer as Buffer, ChatLine as Line } from '../shared/buffer.js';
import { collapseEvents, displaySegments, linkify, nickColourClass, timeLabel } from './format.js';
import { SharedFile } from './files.js';
import { QUICK_REACTIONS, type Quote } from '../shared/client-tags.js';

/**
 * What a message in the log can do (reply, react) and find (a reply's parent). Absent
 * (search results): the lines are shown without actions.
 */
export interface LineActions {
  reply(l: Line): void;
  react(l: Line, emoji: string): void;
  isMe(nick: string): boolean;
  /** a line of this window by msgid */
  byMsgid(msgid: string): Line | undefined;
  /** delete one of ours (absent: the server cannot) */
  remove?(l: Line): void;
}
export const Actions = createContext<LineActions | null>(null);

/** The colours of the people in the window on screen (see roomColours). */
export const Colours = createContext<Map<string, string>>(new Map());

function colourOf(map: Map<string, string>, nick: string): string {
  return map.get(nick.toLowerCase()) ?? nickColourClass(nick);
}

/** A nick in its colour. */
export function Nick({ nick, label = nick }: { nick: string; label?: string }) {
  const map = useContext(Colours);
  return <span class={`nick ${colourOf(map, nick)}`}>{label}</span>;
}

/** Text as shown, without its markers (for a notification or a title). */
export function plainText(s: string): string {
  return displaySegments(s)
    .map((x) => ('text' in x ? x.text : ''))
    .join('');
}

/**
 * Peer text as shown: formatting and control characters out, bidi controls as visible
 * marks (so "\u202egnp.exe" cannot pass for "exe.png"), links clickable (http/https
 * only; a new tab without referrer), isolated (<bdi>) so right-to-left text cannot
 * reorder what is around it.
 */
function Rich({ text }: { text: string }) {
  const segs = useMemo(() => displaySegments(text), [text]);
  return (
    <bdi>
      {segs.map((s, i) =>
        'bidi' in s ? (
          <span key={i} class="ctl" title={`hidden direction mark ${s.bidi} removed`}>
            {s.bidi}
          </span>
        ) : (
          linkify(s.text).map((l, j) =>
            l.href !== undefined ? (
              <a key={`${i}.${j}`} href={l.href} target="_blank" rel="noopener noreferrer nofollow">
                {l.text}
              </a>
            ) : (
              l.text
            ),
          )
        ),
      )}
    </bdi>
  );
}

/** Text with line breaks (a multiline message): each line as {@link Rich}, a <br> between. */
function Lines({ text }: { text: string }) {
  if (!text.includes('\n')) return <Rich text={text} />;
  return (
    <>
      {text.split('\n').map((t, i) => (
        <span key={i} class="ml">
          {i > 0 && <br />}
          <Rich text={t} />
        </span>
      ))}
    </>
  );
}

/** The CSS class of a line's kind (.msg for a message, as before the shared model). */
function kindClass(l: Line): string {
  return l.kind === 'message' ? 'msg' : l.kind;
}

/** The message a reply answers, quoted above it. */
function ReplyQuote({ l }: { l: Line }) {
  const actions = useContext(Actions);
  const found = l.replyTo !== undefined ? actions?.byMsgid(l.replyTo) : undefined;
  const q: Quote | undefined = l.parent ?? (found !== undefined ? { nick: found.nick ?? '', text: found.text } : undefined);
  return (
    <div class="quote" data-reply-to={l.replyTo}>
      <span aria-hidden="true">↪ </span>
      {q === undefined ? (
        <span class="muted">a message not loaded here</span>
      ) : (
        <>
          <span class="sr">In reply to </span>
          <Nick nick={q.nick} />{' '}
          <span class="quoted">
            <Rich text={q.text.length > 200 ? q.text.slice(0, 199) + '…' : q.text} />
          </span>
        </>
      )}
    </div>
  );
}

/** Counts under a message; a click gives or takes back the same reaction. */
function Reactions({ l }: { l: Line }) {
  const actions = useContext(Actions);
  if (l.reactions === undefined || l.reactions.length === 0) return null;
  return (
    <div class="reactions">
      {l.reactions.map((r) => {
        const mine = actions !== null && r.nicks.some((n) => actions.isMe(n));
        const who = r.nicks.slice(0, 20).join(', ') + (r.nicks.length > 20 ? ` and ${r.nicks.length - 20} more` : '');
        return (
          <button
            key={r.emoji}
            class={`reaction${mine ? ' mine' : ''}`}
            aria-pressed={mine}
            title={who}
            aria-label={`${r.emoji} ${r.nicks.length}: ${who}`}
            disabled={actions === null}
            onClick={() => actions?.react(l, r.emoji)}
          >
            <span class="emoji">{r.emoji}</span> <span class="count">{r.nicks.length}</span>
          </button>
        );
      })}
    </div>
  );
}

/** Reply and react buttons (shown on hover or focus), with a small emoji picker. */
function MessageActions({ l }: { l: Line }) {
  const actions = useContext(Actions);
  const [picking, setPicking] = useState(false);
  if (actions === null || l.msgid === undefined || l.pending || l.deleted !== undefined) return null;
  return (
    <span class="actions">
      {l.self && actions.remove !== undefined && <button class="act delete" title="Delete" aria-label="Delete" onClick={() => actions.remove?.(l)} />}
      {/* (glyphs from CSS: the line's text stays the message, for copying and for readers) */}
      <button class="act reply" title="Reply" aria-label="Reply" onClick={() => actions.reply(l)} />
      <button class="act react" title="React" aria-label="React" aria-expanded={picking} onClick={() => setPicking(!picking)} />
      {picking && (
        <span class="picker" role="menu">
          {QUICK_REACTIONS.map((e) => (
            <button
              key={e}
              role="menuitem"
              class="pick"
              aria-label={`React ${e}`}
              onClick={() => {
                setPicking(false);
                actions.react(l, e);
              }}
            >
              {e}
            </button>
          ))}
        </span>
      )}
    </span>
  );
}

export function LineView({ l, where }: { l: Line; where?: string }) {
  const time = (
    <time dateTime={l.time.toISOString()} title={l.time.toLocaleString()}>
      {timeLabel(l.time.getTime())}
    </time>
  );
  const nick = l.nick ?? '';
  if (l.deleted !== undefined && (l.kind === 'message' || l.kind === 'notice' || l.kind === 'action')) {
    return (
      <div class={`line ${kindClass(l)} deleted`} data-msgid={l.msgid}>
        {time}
        <Nick nick={nick} />
        <span class="text muted">message deleted</span>
      </div>
    );
  }
  if (l.kind === 'message' || l.kind === 'notice') {
    return (
      <div class={`line ${kindClass(l)}${l.mention ? ' mention' : ''}${l.self ? ' self' : ''}${l.pending ? ' pending' : ''}`} data-msgid={l.msgid}>
        {time}
        {where !== undefined && <span class="where">{where}</span>}
        <Nick nick={nick} label={l.kind === 'notice' ? `-${nick}-` : nick} />
        <span class="text">
          {l.replyTo !== undefined && <ReplyQuote l={l} />}
          <Lines text={l.text} />
          <Reactions l={l} />
        </span>
        {l.kind === 'message' && <MessageActions l={l} />}
      </div>
    );
  }
  if (l.kind === 'action') {
    return (
      <div class={`line action${l.mention ? ' mention' : ''}${l.pending ? ' pending' : ''}`} data-msgid={l.msgid}>
        {time}
        {where !== undefined && <span class="where">{where}</span>}
        <span class="text">
          {l.replyTo !== undefined && <ReplyQuote l={l} />}* <Nick nick={nick} /> <Rich text={l.text} />
          <Reactions l={l} />
        </span>
        <SharedFile text={l.text} />
        <MessageActions l={l} />
      </div>
    );
  }
  return (
    <div class={`line event ${l.kind}`}>
      {time}
      <span class="text">
        <Rich text={l.text} />
      </span>
    </div>
  );
}

/** A run of replayed joins, parts and quits as one line; the names on request. */
function EventRun({ lines }: { lines: readonly Line[] }) {
  const [open, setOpen] = useState(false);
  const first = lines[0]!;
  if (open) return <>{lines.map((l) => <LineView key={l.id} l={l} />)}</>;
  return (
    <div class="line event run">
      <time dateTime={first.time.toISOString()} title={first.time.toLocaleString()}>
        {timeLabel(first.time.getTime())}
      </time>
      <span class="text">
        <button class="link" aria-expanded={false} onClick={() => setOpen(true)}>
          {summarizeRun(lines)}
        </button>
      </span>
    </div>
  );
}

function summarizeRun(lines: readonly Line[]): string {
  const n = (kind: string): number => lines.filter((l) => l.kind === kind).length;
  const parts: string[] = [];
  const j = n('join');
  const p = n('part') + n('kick');
  const q = n('quit');
  const k = n('nick');
  if (j > 0) parts.push(`${j} joined`);
  if (p > 0) parts.push(`${p} left`);
  if (q > 0) parts.push(`${q} quit`);
  if (k > 0) parts.push(`${k} changed nick`);
  return `${parts.join(', ')} (show)`;
}

export function Log({ client, buffer, onReply }: { client: IrcClient; buffer: Buffer; onReply?: (l: Line) => void }) {
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const firstId = useRef<{ key: number; id: number; height: number } | null>(null);
  // the "--- N earlier messages ---" marker is for line-by-line terminals: paging shows it here
  const lines = buffer.lines.filter((l) => !l.marker);
  const key = buffer.id;

  // Keep the view pinned to the bottom unless the reader scrolled up; keep the position
  // when older lines are prepended.
  useLayoutEffect(() => {
    const el = ref.current;
    if (el === null) return;
    const prev = firstId.current;
    const first = lines[0]?.id ?? 0;
    if (prev !== null && prev.key === key && prev.id !== first && !atBottom.current) {
      el.scrollTop += el.scrollHeight - prev.height;
    } else if (atBottom.current || prev === null || prev.key !== key) {
      el.scrollTop = el.scrollHeight;
      atBottom.current = true;
    }
    firstId.current = { key, id: first, height: el.scrollHeight };
  });

  const canLoad = client.canLoadOlder(buffer);
  // History is fetched on first view of a window with nothing loaded yet.
  useEffect(() => {
    if (canLoad && !buffer.lines.some((l) => l.nick !== undefined && l.kind !== 'join')) client.loadOlder(buffer);
  }, [key, canLoad, client.state]);

  // one index per render (the lines change in place): replies find their parent in O(1)
  const byId = new Map<string, Line>();
  for (const l of buffer.lines) if (l.msgid !== undefined) byId.set(l.msgid, l);
  const actions: LineActions | null =
    buffer.kind === 'server' || onReply === undefined
      ? null
      : {
          reply: onReply,
          react: (l, emoji) => {
            const why = client.react(buffer, l, emoji);
            if (why !== null) client.info(buffer, why, 'error');
          },
          isMe: (n) => client.isMe(n),
          byMsgid: (id) => byId.get(id),
          ...(client.canRedact
            ? {
                remove: (l: Line) => {
                  const why = client.redact(buffer, l);
                  if (why !== null) client.info(buffer, why, 'error');
                },
              }
            : {}),
        };

  return (
    <Actions.Provider value={actions}>
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
        if (el.scrollTop < 60 && canLoad) client.loadOlder(buffer);
      }}
    >
      {canLoad && (
        <button class="older small" disabled={buffer.historyLoading > 0} onClick={() => client.loadOlder(buffer)}>
          {buffer.historyLoading > 0 ? 'Loading…' : 'Load older messages'}
        </button>
      )}
      {buffer.historyComplete && buffer.kind !== 'server' && (buffer.kind === 'channel' || buffer.historySeen) && <p class="muted start">Start of history</p>}
      {collapseEvents(lines).map((x) => ('run' in x ? <EventRun key={x.run[0]!.id} lines={x.run} /> : <LineView key={x.id} l={x} />))}
    </div>
    </Actions.Provider>
  );
}


export function SearchResults({ client, onGo }: { client: IrcClient; onGo: (b: Buffer) => void }) {
  const s = client.searchResults!;
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
              const to = client.find(l.where ?? '');
              client.closeSearch();
              if (to !== undefined) onGo(to);
            }}
          >
            <LineView l={l} {...(l.where !== undefined ? { where: l.where } : {})} />
          </button>
        ))}
      </div>
    </section>
  );
}


