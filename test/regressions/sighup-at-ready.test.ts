/**
 * Regression: `gatehouse ready` was logged before the SIGHUP handler was installed, so a
 * supervisor script (or a test) that reloads as soon as it sees the line could kill the
 * gateway with Node's default SIGHUP action (seen under load: the process vanished with no
 * output). The line now comes after the signal handlers.
 */
import { describe, expect, it } from 'vitest';
import { startGateway } from '../helpers/gateway.js';

const CONFIG = '_format_version: "3.0"\nservices:\n  - { name: s, url: "http://127.0.0.1:9", routes: [{ name: r, paths: ["/"] }] }\n';

describe('SIGHUP right after the ready line', () => {
  it('reloads instead of killing the process', async () => {
    const gw = await startGateway(CONFIG);
    try {
      gw.process.kill('SIGHUP');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(gw.process.exitCode).toBeNull();
      expect(gw.process.signalCode).toBeNull();
      const res = await fetch(`${gw.adminUrl}/status`);
      expect(res.status).toBe(200);
    } finally {
      await gw.stop();
    }
  });
});
