/**
 * Logging. Process logs use pino (JSON lines on stdout). The access log is one JSON
 * line per request, formatted by AccessLineWriter (no generic serializer on the request
 * path) and written through LineSink in batches off the request path.
 *
 * On by default (GATEHOUSE_ACCESS_LOG=stdout, as Kong's Docker image sends its access log
 * to /dev/stdout); `off` or a file path otherwise. Measured with the bench's
 * small-get-log scenario: the access log costs <10% of throughput (README, Access log).
 */
import pino, { type Logger } from 'pino';
import type { RequestContext } from '../worker/context.js';
import { AccessLineWriter, type LogExtra } from './access-line.js';
import { LineSink } from './line-sink.js';

export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { pid: process.pid, ...bindings } });
}

/** The extra fields of a request's access line (plugins' setLogValue: the AI block, a correlation id), or null. */
export function logExtraOf(ctx: RequestContext): LogExtra {
  return ctx.logExtra;
}

export class AccessLog {
  readonly #sink: LineSink | null;
  readonly #writer: AccessLineWriter;
  /** The sink while the log is on, else null (`off`, or switched off by the debug hook). */
  #active: LineSink | null;

  constructor(sink: LineSink | null, workerIndex: number) {
    this.#sink = sink;
    this.#active = sink;
    this.#writer = new AccessLineWriter(workerIndex);
  }

  write(ctx: RequestContext): void {
    const sink = this.#active;
    if (sink === null) return;
    sink.write(this.#writer.line(ctx, performance.now(), logExtraOf(ctx)));
  }

  /** Lines dropped because the destination could not keep up (a Prometheus counter). */
  get dropped(): number {
    return this.#sink === null ? 0 : this.#sink.dropped;
  }

  /**
   * Debug hook (GATEHOUSE_DEBUG_ENDPOINTS=1): turns a configured access log off and on
   * again, so the bench measures its cost in one process. No effect when it is `off`.
   */
  setEnabled(on: boolean): void {
    this.#active = on ? this.#sink : null;
  }

  flush(): Promise<void> {
    return this.#sink === null ? Promise.resolve() : this.#sink.flush();
  }
}

/**
 * The access log of one worker: `off`, `stdout` or a file path. Dropped lines are
 * reported on stderr: stdout may be the very destination that cannot keep up.
 */
export function createAccessLog(destination: string, workerIndex: number): AccessLog {
  if (destination === 'off') return new AccessLog(null, workerIndex);
  let warn: Logger | null = null;
  const sink = LineSink.open(destination, {
    onDrop: (count, total, reason) => {
      warn ??= pino({ base: { pid: process.pid, worker: workerIndex, component: 'access-log' } }, pino.destination({ fd: 2, sync: false }));
      warn.warn({ dropped: count, dropped_total: total, destination, reason }, 'access log lines dropped');
    },
  });
  return new AccessLog(sink, workerIndex);
}
