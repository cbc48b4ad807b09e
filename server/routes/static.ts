import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import type { StaticFile } from '../assets.js';
import type { Deps } from '../deps.js';
import { countApps } from '../store/apps.js';
import { ApiError, findApp } from '../errors.js';
import { acceptsGzip } from '../http.js';

/** The tab icon: the WhatsApp mark of the hosted pages (server/views/layout.ts). */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path fill="#25D366" d="M16 3a13 13 0 0 0-11.2 19.6L3 29l6.6-1.7A13 13 0 1 0 16 3z"/><path fill="#fff" d="M23.1 19.3c-.4-.2-2.3-1.1-2.6-1.2-.4-.1-.6-.2-.9.2l-1.2 1.5c-.2.2-.4.3-.8.1a10.6 10.6 0 0 1-5.3-4.6c-.4-.7.4-.6 1.1-2.1.1-.2 0-.5 0-.7l-1.2-2.8c-.3-.7-.6-.6-.9-.6h-.7c-.3 0-.7.1-1 .5-.4.4-1.4 1.3-1.4 3.2s1.4 3.7 1.6 4c.2.2 2.8 4.3 6.8 6 2.5 1.1 3.5 1.2 4.8 1 .8-.1 2.3-1 2.7-1.9.3-.9.3-1.7.2-1.9l-.7-.4z"/></svg>';

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
  r.get('/:file{widget-panel\\.(en|es|pt)\\.js}', (c) =>
    serveFile(
      c,
      deps.assets.widgetPanels[c.req.param('file').split('.')[1]!] ?? null,
      'text/javascript; charset=utf-8',
    ),
  );

  // The WhatsApp mark as the tab icon of the Settings page and the hosted pages. Browsers ask for
  // /favicon.ico by themselves; both names answer the same SVG.
  const favicon = (c: Context) => {
    c.header('Content-Type', 'image/svg+xml');
    c.header('Cache-Control', 'public, max-age=86400');
    c.header('Cross-Origin-Resource-Policy', 'same-origin');
    return c.body(FAVICON_SVG);
  };
  r.get('/favicon.svg', favicon);
  r.get('/favicon.ico', favicon);

  // The demo app's privacy notice, so that its consent page shows a privacy link as a real one should.
  r.get('/demo/privacy', (c) =>
    c.html(html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo Shop: privacy notice</title><link rel="icon" href="/favicon.svg" type="image/svg+xml"></head>
<body>
<h1>Demo Shop: privacy notice</h1>
<p>Demo Shop is the sample business of an optin-kit installation. When you agree on its consent page or
widget, it keeps your WhatsApp number, the wording you agreed to, the time, and the page you came from,
as evidence of your consent. It uses your number only to message you on WhatsApp.</p>
<p>Reply STOP on WhatsApp at any time to stop messages. Ask the operator of this server to erase your data.</p>
</body></html>`),
  );

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
