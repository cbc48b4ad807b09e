import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { isIP } from 'node:net';
import { ApiError } from './errors.js';

/**
 * The client's IP: the socket's, or, when TRUST_PROXY is on, the last X-Forwarded-For hop: the one
 * our own proxy appended. Earlier hops come from the client and prove nothing.
 */
export function clientIp(c: Context, trustProxy: boolean): string | null {
  if (trustProxy) {
    const hop = c.req.header('x-forwarded-for')?.split(',').pop()?.trim();
    if (hop && isIP(hop)) return hop;
  }
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null; // app.request() in tests has no socket
  }
}

/** The media type of the request, without parameters, lower-cased. */
export function mediaType(c: Context): string {
  return (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Whether the request carries a body. Node gives every DELETE, PUT and POST a body stream, even an
 * empty one, so on a socket the headers decide; in memory (`app.request` in tests) the Request does.
 */
export function hasBody(c: Context): boolean {
  if ((c.env as { incoming?: unknown } | undefined)?.incoming)
    return Number(c.req.header('content-length') ?? 0) > 0 || c.req.header('transfer-encoding') !== undefined;
  return c.req.raw.body !== null;
}

/** Reads a body's bytes, refusing (null) more than `max` even when Content-Length lies or is absent. */
export async function readBytes(c: Context, max: number): Promise<Buffer | null> {
  if (Number(c.req.header('content-length') ?? 0) > max) return null;
  // On Node, read the socket's stream directly: the web ReadableStream around it costs more than
  // the form itself.
  const incoming = (c.env as { incoming?: import('node:http').IncomingMessage } | undefined)?.incoming;
  const source: AsyncIterable<Uint8Array> | null =
    incoming && !incoming.readableDidRead ? incoming : (c.req.raw.body as AsyncIterable<Uint8Array> | null);
  if (!source) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of source) {
      size += chunk.byteLength;
      if (size > max) {
        incoming?.resume(); // drain without keeping it
        return null;
      }
      chunks.push(chunk);
    }
  } catch (e) {
    // The client went away, or the server's request time-out cut a slow body off: not our failure.
    throw new ApiError(400, 'body_incomplete', 'The request body did not arrive in full.', {}, { cause: e });
  }
  return Buffer.concat(chunks);
}

/** Reads a body as UTF-8 text, or null when it is larger than `max`. */
export async function readText(c: Context, max: number): Promise<string | null> {
  return (await readBytes(c, max))?.toString('utf8') ?? null;
}

export const MAX_FORM_BYTES = 16 * 1024;

/** Whether the client takes gzip (and did not refuse it with q=0). */
export function acceptsGzip(c: Context): boolean {
  const m = /(?:^|,)\s*(?:gzip|\*)\s*(?:;\s*q=([\d.]+))?/i.exec(c.req.header('accept-encoding') ?? '');
  return !!m && (m[1] === undefined || Number(m[1]) > 0);
}
