/**
 * Sends a chunked body that grows past the gateway's body limit (8 x 16 KiB) and checks
 * the outcome: 413 with Kong's message, or, for a client still writing when the gateway
 * answers and closes, a reset; either way the upstream never got an oversized body.
 */
import { Readable } from 'node:stream';
import { request } from 'undici';
import { expect } from 'vitest';
import type { TestUpstream } from './upstream.js';

export async function expectChunkedBodyOverLimitRefused(url: string, upstream: TestUpstream, maxBody: number): Promise<void> {
  const chunks = function* () {
    for (let i = 0; i < 8; i++) yield Buffer.alloc(16 * 1024, 2);
  };
  const res = await request(url, { method: 'POST', body: Readable.from(chunks()) }).catch((err: unknown) => err as Error);
  if (res instanceof Error) {
    expect(res.message).toMatch(/other side closed|ECONNRESET|EPIPE|socket/i);
  } else {
    expect(res.statusCode).toBe(413);
    expect(await res.body.json()).toEqual({ message: 'Request size limit exceeded' });
  }
  expect(upstream.received.every((r) => r.bodyLength <= maxBody)).toBe(true);
}
