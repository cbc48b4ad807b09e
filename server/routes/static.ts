import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import type { StaticFile } from '../assets.js';
import type { Deps } from '../deps.js';
import { countApps } from '../store/apps.js';
import { ApiError, findApp } from '../errors.js';
import { acceptsGzip } from '../http.js';

function serveFile(c: Context, f: StaticFile | null, type: string) {
  if (!f) throw new ApiError(404, 'not_built', 'The widget is not built: run "npm run build".');
  // Other sites load these: they must be readable cross-origin. The URL in pasted snippets never
  // changes, so caches revalidate every few minutes rather than keep a file forever.
  c.header('Access-Control-Allow-Origin', '*');
  c.header('Cross-Origin-Resource-Policy', 'cross-origin');
  c.header('Cache-Control', 'public, max-age=300, stale-while-revalidate=86400');
  c.header('ETag', f.etag);
  c.header('Vary', 'Accept-Encoding');
  if (c.req.header('if-none-match') === f.etag) return c.body(null, 304);
  c.header('Content-Type', type);
  if (acceptsGzip(c)) {
    c.header('Content-Encoding', 'gzip');
    return c.body(new Uint8Array(f.gzip));
  }
  return c.body(new Uint8Array(f.body));
}

/** Files (`/widget.js`, the Settings page's `/assets`), the demo host page, health and the home page. */
export function staticRoutes(deps: Deps): Hono {
  const r = new Hono();
  // Content-hashed styles and script: cached for good, since a new build gets new names.
  r.get('/assets/:file', (c) => {
    const a = deps.assets.settings;
    const f = a && [a.css, a.js].find((x) => x.path === c.req.path);
    if (!f) return c.text('Not found', 404);
    c.header('Cache-Control', 'public, max-age=31536000, immutable');
    c.header('Content-Type', f.type);
    c.header('ETag', f.etag);
    c.header('Cross-Origin-Resource-Policy', 'same-origin');
    c.header('Vary', 'Accept-Encoding');
    if (c.req.header('if-none-match') === f.etag) return c.body(null, 304);
    if (acceptsGzip(c)) {
      c.header('Content-Encoding', 'gzip');
      return c.body(new Uint8Array(f.gzip));
    }
    return c.body(new Uint8Array(f.body));
  });

  r.get('/widget.js', (c) => serveFile(c, deps.assets.widget, 'text/javascript; charset=utf-8'));
  r.get('/widget-qr.js', (c) => serveFile(c, deps.assets.widgetQr, 'text/javascript; charset=utf-8'));

  r.get('/healthz', async (c) => {
    await deps.store.read(countApps);
    return c.json({ ok: true, store: deps.store.kind });
  });

  // A host page as a marketer's site would be: the pasted script tag, under a strict CSP.
  r.get('/demo', async (c) => {
    const name = c.req.query('app') ?? 'demo';
    const app = await findApp(deps, name);
    c.header(
      'Content-Security-Policy',
      "default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; base-uri 'none'; frame-ancestors 'none'",
    );
    return c.html(html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${app.displayName}: widget demo</title></head>
<body>
<h1>${app.displayName}</h1>
<p>This page embeds the opt-in widget with the one line a marketer pastes:</p>
<pre><code>&lt;script src="${deps.config.publicUrl}/widget.js" data-app="${app.name}" async&gt;&lt;/script&gt;</code></pre>
<p>The WhatsApp button is at the bottom of the page. It can also sit inline: <whatsapp-optin app="${app.name}"></whatsapp-optin></p>
<script src="/widget.js" data-app="${app.name}" async></script>
</body></html>`);
  });

  r.get('/', (c) =>
    c.json({
      name: 'optin-kit',
      docs: 'https://github.com/optin-kit/optin-kit#readme',
      openapi: `${deps.config.publicUrl}/openapi.json`,
      consentPage: `${deps.config.publicUrl}/o/<app>`,
    }),
  );
  return r;
}
