import type { MiddlewareHandler } from 'hono';
import { hasBody } from '../http.js';
import type { IncomingMessage } from 'node:http';
import { negotiateLocale } from '../../core/locale.js';
import type { Assets } from '../assets.js';
import { errorBody } from '../errors.js';
import { messagePage } from '../views/consent-page.js';
import { pageCsp } from '../views/layout.js';
import { MESSAGES } from '../views/messages.js';

/**
 * Whether a request URL's path or query has a malformed percent-escape (`%`, `%E0%A4%A`, an escaped
 * lone surrogate such as `%ED%A0%80`) or an escaped NUL (`%00`, which PostgreSQL text refuses).
 * Pure; only URLs that have a `%` can be either.
 */
export function malformedUrl(pathAndQuery: string): boolean {
  if (!pathAndQuery.includes('%')) return false;
  const q = pathAndQuery.indexOf('?');
  const parts = [q < 0 ? pathAndQuery : pathAndQuery.slice(0, q)];
  if (q >= 0)
    for (const pair of pathAndQuery.slice(q + 1).split('&')) parts.push(...pair.replaceAll('+', ' ').split('='));
  for (const p of parts) {
    if (!p.includes('%')) continue;
    let decoded: string;
    try {
      decoded = decodeURIComponent(p);
    } catch {
      return true;
    }
    if (decoded.includes('\u0000')) return true;
  }
  return false;
}

/** A request body Node has not read to its end: a length at most this is drained, anything else closes. */
export const MAX_DRAIN_BYTES = 1024 * 1024;

/**
 * The first middleware of every request.
 *
 * Before: a URL with a malformed escape or an escaped NUL is refused with 400 (JSON under `/api/`,
 * `/hooks/` and `/openapi.json`, a friendly page elsewhere), so no route decodes it into a 500.
 *
 * After: a body the answer left unread (a 413 before reading, a 401 or 415 before the body was
 * looked at) would otherwise stay on a keep-alive connection, where Node waits for it to be read and
 * the next request on that connection never gets an answer. A small declared body is drained; a
 * larger or chunked one is read and thrown away while the answer says `Connection: close`.
 *
 * @example
 * app.use(requestGuard({ assets }));
 */
export function requestGuard(o: { assets: Assets }): MiddlewareHandler {
  const csp = pageCsp(o.assets);
  return async (c, next) => {
    const url = c.req.url;
    if (url.includes('%') && malformedUrl(url.slice(url.indexOf('/', url.indexOf('//') + 2)))) {
      if (/^\/(api|hooks)\/|^\/openapi\.json/.test(c.req.path))
        return c.json(errorBody('malformed_url', 'The URL has a malformed or NUL percent-escape.'), 400);
      const lang = negotiateLocale(undefined, c.req.header('accept-language'));
      const m = MESSAGES[lang];
      c.header('Content-Security-Policy', csp);
      c.header('Cache-Control', 'no-store');
      return c.html(messagePage(o.assets, { lang, title: m.badRequestTitle, body: m.badRequestBody }), 400);
    }
    await next();
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    if (!incoming || incoming.readableEnded || incoming.destroyed || !hasBody(c)) return;
    const declared = Number(c.req.header('content-length'));
    const drain = c.req.header('transfer-encoding') === undefined && declared <= MAX_DRAIN_BYTES;
    if (!drain) c.res.headers.set('Connection', 'close');
    incoming.on('data', () => {});
    incoming.on('error', () => {});
    incoming.resume();
  };
}
