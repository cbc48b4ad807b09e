import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import QRCode from 'qrcode';
import { isValidCampaign } from '../../core/app-name.js';
import { qrTarget } from '../../core/links.js';
import type { Deps } from '../deps.js';
import { ApiError, findApp } from '../errors.js';
import { clientIp } from '../http.js';
import { RateLimiter } from '../rate-limit.js';

interface Rendered {
  body: Uint8Array | string;
  etag: string;
}

/**
 * QR codes are pure functions of their text and size, so they are rendered once, kept in a small
 * LRU, and served with a strong ETag; a printed code's URL never changes.
 */
export class QrCache {
  private map = new Map<string, Rendered>();
  constructor(private readonly max = 512) {}

  has(format: 'svg' | 'png', text: string, size: number): boolean {
    return this.map.has(`${format}|${size}|${text}`);
  }

  async get(format: 'svg' | 'png', text: string, size: number): Promise<Rendered> {
    const key = `${format}|${size}|${text}`;
    const hit = this.map.get(key);
    if (hit) {
      this.map.delete(key);
      this.map.set(key, hit);
      return hit;
    }
    const body =
      format === 'svg'
        ? await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 })
        : new Uint8Array(
            await QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 4, width: size }),
          );
    const etag = `"${createHash('sha256').update(key).digest('base64url').slice(0, 22)}"`;
    const r = { body, etag };
    this.map.set(key, r);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
    return r;
  }
}

export function qrRoutes(deps: Deps, cache = new QrCache()): Hono {
  const r = new Hono();
  const renders = new RateLimiter(deps.config.qrRateLimit, () => deps.clock.now(), deps.rateLimits, 'qr');

  const serve = (format: 'svg' | 'png') =>
    r.get(`/o/:app/qr.${format}`, async (c) => {
      const app = await findApp(deps, c.req.param('app'));
      const campaign = c.req.query('c') ?? null;
      if (campaign !== null && !isValidCampaign(campaign))
        throw new ApiError(400, 'invalid_campaign', 'c must be 1 to 64 letters, digits, - or _.');
      let size = 0;
      if (format === 'png') {
        const s = c.req.query('size') ?? '512';
        size = Number(s);
        if (!/^\d{3,4}$/.test(s) || size < 128 || size > 2048)
          throw new ApiError(400, 'invalid_size', 'size must be a whole number from 128 to 2048.');
      }
      const target = qrTarget(deps.config.publicUrl, app.name, campaign);
      // A new code costs up to half a second of CPU at 2048 px: new renders are rate-limited per IP.
      if (!cache.has(format, target, size)) {
        const wait = await renders.take(clientIp(c, deps.config.trustProxy) ?? 'unknown');
        if (wait > 0)
          throw new ApiError(429, 'rate_limited', 'Too many new QR codes from this address. Try again shortly.', {
            'Retry-After': String(wait),
          });
      }
      const q = await cache.get(format, target, size);
      c.header('ETag', q.etag);
      c.header('Cache-Control', 'public, max-age=86400');
      c.header('Cross-Origin-Resource-Policy', 'cross-origin');
      if (c.req.query('download') !== undefined)
        c.header(
          'Content-Disposition',
          `attachment; filename="${app.name}${campaign ? `-${campaign}` : ''}-qr.${format}"`,
        );
      if (c.req.header('if-none-match') === q.etag) return c.body(null, 304);
      c.header('Content-Type', format === 'svg' ? 'image/svg+xml' : 'image/png');
      return c.body(q.body as never);
    });

  serve('svg');
  serve('png');
  return r;
}
