/**
 * Demo upstreams for the quickstart (`npm start`): the echo service on 127.0.0.1:9001
 * (override with GATEHOUSE_DEMO_ECHO_PORT), started in the supervisor's process.
 */
import { startEchoServer } from '../../bench/upstreams/echo.js';

export interface Demo {
  describe: Record<string, string>;
  stop(): Promise<void>;
}

export async function startDemo(): Promise<Demo> {
  const port = Number(process.env['GATEHOUSE_DEMO_ECHO_PORT'] ?? 9001);
  const echo = await startEchoServer({ host: '127.0.0.1', port });
  return {
    describe: { echo: `127.0.0.1:${echo.port}` },
    stop: async () => echo.close(),
  };
}
