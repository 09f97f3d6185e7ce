/**
 * Worker side: the consumers auth plugins identify, materialised once per config version.
 * A request that authenticates points at one of these objects (ctx.consumer): nothing
 * about the consumer is built per request — the metrics label and the access-log entry
 * are made here once.
 *
 * The upstream headers an auth plugin sets or clears (Kong's constants.HEADERS) live here
 * too, so every auth plugin strips the client's forged copies the same way.
 */
import type { PluginEnv, PluginRequest } from './contract.js';
import type { CompiledConsumer } from './types.js';

/** The access log's `consumer` field, as Kong's log serializer names the fields. */
export interface ConsumerLogEntry {
  readonly id: string;
  readonly username: string | null;
  readonly custom_id: string | null;
}

export class Consumer {
  readonly id: string;
  readonly username: string | null;
  readonly customId: string | null;
  /** The AI metrics `consumer` label: the username, else the id. */
  readonly label: string;
  readonly logEntry: ConsumerLogEntry;

  constructor(c: CompiledConsumer) {
    this.id = c.id;
    this.username = c.username;
    this.customId = c.customId;
    this.label = c.username ?? c.id;
    this.logEntry = Object.freeze({ id: c.id, username: c.username, custom_id: c.customId });
  }
}

export function materializeConsumers(list: readonly CompiledConsumer[]): Consumer[] {
  return list.map((c) => new Consumer(c));
}

/** Upstream headers naming the consumer (lower-case; HTTP names are case-insensitive). */
export const CONSUMER_HEADERS = {
  id: 'x-consumer-id',
  customId: 'x-consumer-custom-id',
  username: 'x-consumer-username',
  credential: 'x-credential-identifier',
  anonymous: 'x-anonymous-consumer',
} as const;

function isConsumerHeader(name: string): boolean {
  // Every one starts with `x-c` or `x-a`: most names are rejected on their first chars.
  if (name.charCodeAt(0) !== 120 /* x */ || name.charCodeAt(1) !== 45 /* - */) return false;
  return (
    name === CONSUMER_HEADERS.id ||
    name === CONSUMER_HEADERS.customId ||
    name === CONSUMER_HEADERS.username ||
    name === CONSUMER_HEADERS.credential ||
    name === CONSUMER_HEADERS.anonymous
  );
}

/**
 * Rewrites a flat `[name, value, …]` header list in place: drops the client's copies of
 * the consumer headers (and `strip`, the key header under hide_credentials), then sets
 * the ones Kong sets for `consumer` — X-Credential-Identifier naming the credential, or
 * X-Anonymous-Consumer when none matched (`identifier` null).
 */
export function setConsumerHeaders(headers: string[], strip: string | null, consumer: Consumer | null, identifier: string | null): void {
  let w = 0;
  for (let r = 0; r < headers.length; r += 2) {
    const name = headers[r] as string;
    if (name === strip || isConsumerHeader(name)) continue;
    if (w !== r) {
      headers[w] = name;
      headers[w + 1] = headers[r + 1] as string;
    }
    w += 2;
  }
  headers.length = w;
  if (consumer === null) return;
  headers.push(CONSUMER_HEADERS.id, consumer.id);
  if (consumer.customId !== null) headers.push(CONSUMER_HEADERS.customId, consumer.customId);
  if (consumer.username !== null) headers.push(CONSUMER_HEADERS.username, consumer.username);
  if (identifier !== null) headers.push(CONSUMER_HEADERS.credential, identifier);
  else headers.push(CONSUMER_HEADERS.anonymous, 'true');
}

/**
 * Kong's "logical OR" between auth plugins (docs: "Multiple authentication"): a plugin
 * configured with `anonymous` does nothing when a plugin that ran before it (higher
 * priority) already authenticated the request with a credential. Without `anonymous` a
 * plugin always runs ("logical AND").
 */
export function authenticatedBefore(req: PluginRequest, anonymous: Consumer | null): boolean {
  return anonymous !== null && req.credentialId !== null;
}

/** A failed authentication: the anonymous consumer when one is configured, else Kong's answer. */
export function refuse(req: PluginRequest, anonymous: Consumer | null, status: number, body: Record<string, unknown>, headers?: readonly string[]): void {
  if (anonymous !== null) req.authenticate(anonymous, null);
  else req.exit(status, body, headers);
}

/** The `anonymous` consumer of an auth plugin instance (its compiled index; -1: none). */
export function anonymousConsumer(env: PluginEnv, index: number): Consumer | null {
  return index < 0 ? null : (env.consumers[index] ?? null);
}

/**
 * An auth plugin's credential table, made once per config version in its handler's
 * `shared`: each compiled credential (naming its consumer by index) becomes the worker's
 * entry under the key requests are looked up by.
 */
export function credentialTable<C extends { consumer: number }, V>(
  list: readonly C[],
  env: PluginEnv,
  keyOf: (c: C) => string,
  make: (c: C, consumer: Consumer) => V,
): Map<string, V> {
  const table = new Map<string, V>();
  for (const c of list) {
    const consumer = env.consumers[c.consumer];
    if (consumer !== undefined) table.set(keyOf(c), make(c, consumer));
  }
  return table;
}
