/**
 * Logging. Process logs use pino (JSON lines on stdout). The access log is one JSON
 * line per request, written through LineSink off the request path; when the access log
 * is `off` the writer is a no-op function, so the hot path pays nothing for it.
 * Field names follow Kong's log serializer where Kong has one (latencies.request/kong/proxy).
 */
import pino, { type Logger } from 'pino';
import type { RequestContext } from '../worker/context.js';
import { coarseNow } from '../lib/clock.js';
import { LineSink } from './line-sink.js';

export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { pid: process.pid, ...bindings } });
}

export interface AccessLog {
  write(ctx: RequestContext): void;
  flush(): Promise<void>;
}

const NO_ACCESS_LOG: AccessLog = {
  write: () => undefined,
  flush: async () => undefined,
};

function ms(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export function createAccessLog(destination: string, workerIndex: number): AccessLog {
  if (destination === 'off') return NO_ACCESS_LOG;
  const sink = new LineSink(destination);
  // pino formats; the sink writes whole lines in batches off the request path.
  const logger = pino({ base: { worker: workerIndex }, timestamp: () => `,"time":${coarseNow()}` }, sink);
  return {
    write(ctx: RequestContext): void {
      const end = performance.now();
      const route = ctx.route;
      const service = ctx.service;
      const upstreamStarted = ctx.upstreamStart > 0;
      logger.info({
        request_id: ctx.requestId,
        client_ip: ctx.remoteAddress,
        method: ctx.method,
        path: ctx.url,
        status: ctx.status,
        route: route === null ? null : route.name,
        service: service === null ? null : service.config.name,
        consumer: ctx.consumer === null ? null : ctx.consumer.logEntry,
        upstream_uri: upstreamStarted ? ctx.upstreamPath : null,
        tries: ctx.tries,
        latencies: {
          request: ms(end - ctx.startTime),
          kong: ms((upstreamStarted ? ctx.upstreamStart : end) - ctx.startTime),
          proxy: upstreamStarted && ctx.upstreamFirstByte > 0 ? ms(ctx.upstreamFirstByte - ctx.upstreamStart) : null,
        },
        bytes_in: ctx.bytesIn,
        bytes_out: ctx.bytesOut,
        ...(ctx.logExtra === null ? {} : ctx.logExtra),
      }, 'access');
    },
    flush: () => sink.flush(),
  };
}
