import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/**
 * Strict headers on every answer. A route that must differ sets its own (the widget's files and
 * API are read by other sites; the Settings page sends `Referrer-Policy: same-origin`); what a route
 * leaves unset gets the strict default here: no CSP sources, never framed, same-origin resources.
 *
 * @example
 * app.use(securityHeaders());
 */
export function securityHeaders(): MiddlewareHandler {
  const base = secureHeaders({
    // Set per route: the widget's files and API must be readable by other sites.
    crossOriginResourcePolicy: false,
    crossOriginEmbedderPolicy: false,
    xFrameOptions: 'DENY',
    // Set below, only where a route has not chosen its own.
    referrerPolicy: false,
  });
  return async (c, next) =>
    base(c, async () => {
      await next();
      if (!c.res.headers.has('Referrer-Policy'))
        c.res.headers.set('Referrer-Policy', 'strict-origin-when-cross-origin');
      if (!c.res.headers.has('Content-Security-Policy'))
        c.res.headers.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
      if (!c.res.headers.has('Cross-Origin-Resource-Policy'))
        c.res.headers.set('Cross-Origin-Resource-Policy', 'same-origin');
    });
}
