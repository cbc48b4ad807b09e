import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import type { Config } from './config.js';

type Fetch = Parameters<typeof serve>[0]['fetch'];

/** The HTTP server's limits (from the environment: see config.ts and the README's Security section). */
export type HttpLimits = Config['http'];

/**
 * Serves `fetch` on Node's HTTP server with limits fit for a public server: Node's defaults give a
 * client 60 s to send its headers and 300 s for its whole request, and take any number of
 * connections, so a few hundred slow clients hold the server.
 *
 * - `headersTimeout`: the headers must arrive within this; else 408 and the connection closes.
 * - `requestTimeout`: the whole request, body included; else 408 and the connection closes.
 * - `keepAliveTimeout`: an idle keep-alive connection closes after this.
 * - `maxConnections`: connections beyond this are closed as they arrive.
 *
 * Node checks the first two every `connectionsCheckingInterval` (30 s by default): here every second
 * at most, so that a time-out holds within a second of its value.
 *
 * Bodies an answer leaves unread are handled by the request guard (middleware/request-guard.ts), not
 * by @hono/node-server's clean-up, which closes such a connection after 500 ms without saying so.
 */
export async function listen(fetch: Fetch, o: { port: number; host: string; http: HttpLimits }): Promise<Server> {
  const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs, maxConnections } = o.http;
  const server = serve({
    fetch,
    port: o.port,
    hostname: o.host,
    autoCleanupIncoming: false,
    serverOptions: {
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      keepAliveTimeout: keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, headersTimeoutMs),
    },
  }) as Server;
  server.headersTimeout = headersTimeoutMs;
  server.requestTimeout = requestTimeoutMs;
  server.keepAliveTimeout = keepAliveTimeoutMs;
  server.maxConnections = maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return server;
}
