import type { Server } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * Starts a mock server listening and says where, as a host usable in a URL: a wildcard address
 * becomes loopback, an IPv6 one gets brackets.
 */
export async function listen(server: Server, port = 0, host = '127.0.0.1'): Promise<{ urlHost: string; port: number }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost =
    address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '[::1]' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { urlHost, port: address.port };
}
