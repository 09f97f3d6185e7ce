/** The scenario table, in the order the runner measures them. */
import { scenario as aiChat } from './ai-chat.js';
import { scenario as aiChatStream } from './ai-chat-stream.js';
import { scenario as pluginCost } from './plugin-cost.js';
import { scenario as post1k } from './post-1k.js';
import { scenario as response1m } from './response-1m.js';
import { scenario as smallGet } from './small-get.js';
import { scenario as smallGetLog } from './small-get-log.js';
import { scenario as smallGetLogStdout } from './small-get-log-stdout.js';
import { scenario as sse } from './sse.js';
import type { Scenario } from './types.js';
import { scenario as wasmCost } from './wasm-cost.js';
import { scenario as wasmHeaders } from './wasm-headers.js';
import { scenario as wasmNone } from './wasm-none.js';
import { scenario as wasmNoop } from './wasm-noop.js';

export const scenarios: readonly Scenario[] = [smallGet, post1k, response1m, sse, wasmNone, wasmNoop, wasmHeaders, wasmCost, pluginCost, smallGetLog, smallGetLogStdout, aiChat, aiChatStream];

export function findScenario(name: string): Scenario | undefined {
  return scenarios.find((s) => s.name === name);
}
