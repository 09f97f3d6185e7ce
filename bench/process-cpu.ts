/**
 * CPU time a process has used (all its threads, user + system), read from Linux's
 * /proc/<pid>/stat. The bench measures a gateway's CPU per request with it: on a
 * CPU-bound gateway that is the inverse of its capacity, and unlike throughput it does
 * not move when another process (an idle gateway's GC, a noisy neighbour) takes turns on
 * the same core. Null where /proc is not there (macOS) or the process is gone.
 */
import { readFileSync } from 'node:fs';

/** Kernel clock ticks per second (USER_HZ): 100 on every Linux the bench runs on. */
const TICKS_PER_SECOND = 100;

export function processCpuSeconds(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Fields after the command name (which may hold spaces and parentheses): state is
  // field 3, utime field 14, stime field 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return (utime + stime) / TICKS_PER_SECOND;
}
