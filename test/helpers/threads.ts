/**
 * The nice value of every thread of a process, by thread id, read from /proc (Linux):
 * field 19 of /proc/PID/task/TID/stat, counted after "(comm)" (which may hold spaces).
 */
import { readFileSync, readdirSync } from 'node:fs';

export function niceOfStat(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

export function threadNice(pid: number | 'self' = 'self'): Map<number, number> {
  const out = new Map<number, number>();
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      out.set(Number(t), niceOfStat(readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8')));
    } catch {
      // the thread exited between readdir and read
    }
  }
  return out;
}
