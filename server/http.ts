import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { isIP } from 'node:net';

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

/** Reads a body, refusing more than `max` bytes even when Content-Length lies or is absent. */
export async function readText(c: Context, max: number): Promise<string | null> {
  const length = c.req.header('content-length');
  const declared = Number(length ?? 0);
  if (declared > max) return null;
  // On Node, read the socket's stream directly: the web ReadableStream around it costs more than
  // the form itself.
  const incoming = (c.env as { incoming?: import('node:http').IncomingMessage } | undefined)?.incoming;
  if (incoming && !incoming.readableDidRead) {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of incoming as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > max) {
        incoming.resume(); // drain without keeping it
        return null;
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
  if (length !== undefined && /^\d+$/.test(length)) return c.req.text();
  const body = c.req.raw.body;
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export const MAX_FORM_BYTES = 16 * 1024;

/** Whether the client takes gzip (and did not refuse it with q=0). */
export function acceptsGzip(c: Context): boolean {
  const m = /(?:^|,)\s*(?:gzip|\*)\s*(?:;\s*q=([\d.]+))?/i.exec(c.req.header('accept-encoding') ?? '');
  return !!m && (m[1] === undefined || Number(m[1]) > 0);
}
