/** Shared helpers for the core command tests: parsed views of what a FakeConnection received. */
import assert from 'node:assert/strict';
import { parse } from '../../../src/protocol/parse.js';
import type { IrcMessage } from '../../../src/protocol/message.js';
import { harness, type Harness } from '../../helpers/harness.js';
import type { FakeConnection } from '../../helpers/fake-conn.js';

export const SERVER = 'test.server';

export function parseLine(line: string): IrcMessage {
  const r = parse(line);
  if (!r.ok) throw new Error(`server sent an unparsable line (${r.error}): ${line}`);
  return r.msg;
}

/** Parsed messages whose command is `cmd` (numerics included). */
export function msgs(lines: string[], cmd: string): IrcMessage[] {
  return lines.map(parseLine).filter((m) => m.command === cmd);
}

/** Asserts exactly one `cmd` message and returns its params. */
export function one(lines: string[], cmd: string): string[] {
  const found = msgs(lines, cmd);
  assert.equal(found.length, 1, `expected exactly one ${cmd}, got ${found.length}:\n${lines.join('\n')}`);
  return found[0]!.params;
}

/** Asserts exactly one `cmd` message, from the server, and returns it parsed. */
export function oneMsg(lines: string[], cmd: string): IrcMessage {
  const found = msgs(lines, cmd);
  assert.equal(found.length, 1, `expected exactly one ${cmd}, got ${found.length}:\n${lines.join('\n')}`);
  return found[0]!;
}

export function none(lines: string[], cmd: string): void {
  const found = msgs(lines, cmd);
  assert.equal(found.length, 0, `expected no ${cmd}, got:\n${lines.join('\n')}`);
}

/** Runs `fn` with a fresh harness and always shuts it down. */
export async function using(overrides: Record<string, unknown>, fn: (h: Harness) => void | Promise<void>): Promise<void> {
  const h = harness(overrides);
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

/** `nick!~nick@127.0.0.1`, the source a harness client gets. */
export function src(nick: string): string {
  return `${nick}!~${nick}@127.0.0.1`;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Each connection joins `chan` in order (the first becomes op); all buffers cleared. */
export function inRoom(chan: string, ...conns: FakeConnection[]): void {
  for (const c of conns) c.recv('JOIN ' + chan);
  for (const c of conns) c.take();
}

/** alice creates `chan` (op), bob joins; both buffers cleared. */
export function pair(h: Harness, chan = '#c'): [FakeConnection, FakeConnection] {
  const a = h.client('alice');
  const b = h.client('bob');
  inRoom(chan, a, b);
  return [a, b];
}

/** Resolves once `cond()` holds (polled), or rejects after `timeoutMs` saying what. */
export async function until(cond: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
