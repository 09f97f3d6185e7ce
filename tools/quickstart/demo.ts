/**
 * Demo upstreams for the quickstart (`npm start`), started in the supervisor's process on
 * loopback so every route of tools/quickstart/gatehouse.yaml answers with no keys and no
 * internet:
 *   - the echo service on 127.0.0.1:9001 (GATEHOUSE_DEMO_ECHO_PORT)
 *   - a mock OpenAI-compatible model on 127.0.0.1:9002 (GATEHOUSE_DEMO_LLM_PORT), behind
 *     the `/ai` route (ai-proxy, provider openai, upstream_url pointing here)
 */
import { startEchoServer } from '../../bench/upstreams/echo.js';
import { startMockLlm } from '../../bench/upstreams/mock-llm.js';

export interface Demo {
  describe: Record<string, string>;
  stop(): Promise<void>;
}

function portFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number, got ${text}`);
  return port;
}

export async function startDemo(): Promise<Demo> {
  const echo = await startEchoServer({ host: '127.0.0.1', port: portFromEnv('GATEHOUSE_DEMO_ECHO_PORT', 9001) });
  let llm;
  try {
    llm = await startMockLlm({ host: '127.0.0.1', port: portFromEnv('GATEHOUSE_DEMO_LLM_PORT', 9002), provider: 'openai' });
  } catch (err) {
    echo.close();
    throw err;
  }
  return {
    describe: { echo: `127.0.0.1:${echo.port}`, llm: `127.0.0.1:${llm.port} (mock OpenAI)` },
    stop: async () => {
      echo.close();
      await llm.close();
    },
  };
}
