/** A port that was free a moment ago on `host` (the OS picks it); racy by nature, retry on EADDRINUSE. */
import { createServer, type AddressInfo } from 'node:net';

export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
