/**
 * Browser component tests for the widget (`npm run test:browser`), in Debian's Chromium. `npm test`
 * skips this run outside CI when scripts/preflight.ts finds no Chromium.
 *
 * - Module requests (`.ts`, `.css.ts`, `/@…`, `/node_modules/…`) go to a Vite dev server in
 *   middleware mode with vite.config.ts, so tests run the same vanilla-extract plugins as the build
 *   (@web/dev-server-esbuild cannot run `.css.ts`).
 * - The REAL optin-kit server runs beside it (test/support/server.ts, on a loopback port, fresh
 *   SQLite store). Tests read its URL and their apps from `GET /__optin/config`, the consent
 *   records from `GET /__optin/consents`, and the funnel's counted views from `GET /__optin/views`.
 * - `/__fault/…` stands in for the network between the page and the server: a proxy answering
 *   503, a connection that never answers, a transparent same-origin pass-through, one that
 *   rewrites the redirect of a recorded consent (`evil`), or one that fails until healed and then
 *   passes requests through
 *   to the real server. Nothing here imitates the optin-kit API itself.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromeLauncher } from '@web/test-runner-chrome';

const CHROME_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function chromePath() {
  // The same rule as scripts/preflight.ts: a CHROME_PATH that is set must point at the browser.
  if (process.env.CHROME_PATH) {
    if (existsSync(process.env.CHROME_PATH)) return process.env.CHROME_PATH;
    throw new Error(`CHROME_PATH=${process.env.CHROME_PATH} does not exist: point it at a Chrome binary or unset it.`);
  }
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    try {
      const p = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (p) return p;
    } catch {
      // not this one
    }
  }
  throw new Error('No Chromium found: install Debian\'s "chromium" package or set CHROME_PATH.');
}

/** @type {import('vite').ViteDevServer | undefined} */
let vite;
/** @type {any} */
let api;
/** @type {Promise<Record<string, unknown>> | undefined} */
let apps;
/** `/__fault/broken-<id>` fails until `/__optin/heal?id=<id>`, then passes requests through. */
const healed = new Set();

const json = (ctx, body, status = 200) => {
  ctx.status = status;
  ctx.type = 'application/json';
  ctx.body = JSON.stringify(body);
};

/** The apps the tests use, made once, allowing the test page's origin to post consents. */
function makeApps(origin) {
  const settings = (s = {}) => ({ allowedOrigins: [origin], ...s });
  return (async () => {
    const live = await api.makeApp({
      displayName: 'Acme Shoes',
      phone: '14155550123',
      live: true,
      settings: settings({ privacyUrl: 'https://acme.example/privacy', theme: { color: '#ff0000', position: 'left' } }),
    });
    const sandbox = await api.makeApp({ displayName: 'Sandbox Café', settings: settings({ phoneField: 'optional' }) });
    const nophone = await api.makeApp({ displayName: 'No Phone Ltd', settings: settings({ phoneField: 'none' }) });
    const foreign = await api.makeApp({
      displayName: 'Elsewhere Inc',
      settings: { allowedOrigins: ['https://elsewhere.example'] },
    });
    const guarded = await api.makeApp({
      displayName: 'Guarded Shop',
      settings: settings({ challenge: 'proof-of-work' }),
    });
    // A right-to-left name that ends in punctuation: only isolation keeps the "!" at its start.
    const rtl = await api.makeApp({ displayName: 'مطعم الورد!', settings: settings() });
    const pick = ({ app, name }) => ({ name, id: app.id });
    return {
      live: pick(live),
      sandbox: pick(sandbox),
      nophone: pick(nophone),
      foreign: pick(foreign),
      guarded: pick(guarded),
      rtl: pick(rtl),
    };
  })();
}

/** Hands a request to Vite's connect stack; resolves false when Vite passed on it. */
function viaVite(ctx) {
  return new Promise((resolve, reject) => {
    ctx.res.once('finish', () => resolve(true));
    vite.middlewares(ctx.req, ctx.res, (err) => (err ? reject(err) : resolve(false)));
  });
}

/** @type {import('@web/test-runner').TestRunnerConfig} */
export default {
  files: ['test/widget/**/*.browser.test.ts'],
  nodeResolve: false,
  concurrency: 1,
  browserStartTimeout: 60_000,
  testsFinishTimeout: 120_000,
  testFramework: { config: { timeout: 10_000 } },
  browsers: [chromeLauncher({ launchOptions: { executablePath: chromePath(), headless: true, args: CHROME_ARGS } })],
  plugins: [
    {
      name: 'optin-server-and-vite',
      async serverStart() {
        const { register } = await import('tsx/esm/api');
        register();
        const { startTestServer } = await import('./test/support/server.ts');
        api = await startTestServer();
        const { createServer } = await import('vite');
        vite = await createServer({
          configFile: new URL('./vite.config.ts', import.meta.url).pathname,
          logLevel: 'warn',
          appType: 'custom',
          // Lit's production build, as the panel ships it (with vite.config.ts's slim-Lit patches on
          // the pre-bundled copy), rather than its development build with the dev-mode checks.
          resolve: { conditions: ['module', 'browser', 'production'] },
          server: { middlewareMode: true, hmr: false, ws: false },
          // Pre-bundle everything the tests import up front, so that no dependency is discovered
          // (and the page reloaded) half-way through a run.
          optimizeDeps: {
            entries: ['test/widget/**/*.browser.test.ts', 'widget/**/*.ts'],
            // It reaches the test runner through a relative import of the runner's own web socket
            // module, which pre-bundling would break.
            exclude: ['@web/test-runner-commands'],
          },
          plugins: [
            {
              name: 'wtr-web-socket',
              resolveId(id) {
                if (id.endsWith('/__web-dev-server__web-socket.js'))
                  return { id: '/__web-dev-server__web-socket.js', external: true };
              },
            },
          ],
        });
      },
      async serverStop() {
        await vite?.close();
        await api?.close();
      },
    },
  ],
  middleware: [
    async (ctx, next) => {
      const path = ctx.path;
      if (path === '/__optin/config') {
        apps ??= makeApps(ctx.origin);
        return json(ctx, { api: api.url, apps: await apps });
      }
      if (path === '/__optin/heal') {
        healed.add(String(ctx.query.id));
        return json(ctx, { ok: true });
      }
      if (path === '/__optin/consents') {
        const { app, phone } = ctx.query;
        const { consentsFor } = await import('./server/store/ledger.ts');
        return json(ctx, await api.store.read(consentsFor, String(app), String(phone ?? '')));
      }
      if (path === '/__optin/views') {
        const { funnelCounts } = await import('./server/store/funnel.ts');
        await api.deps.funnel.flush(api.store);
        const rows = await api.store.read(funnelCounts, String(ctx.query.app), '2000-01-01', '2100-01-01');
        return json(
          ctx,
          rows.filter((r) => r.metric === 'view').map((r) => `${r.via}/${r.campaign}:${r.n}`),
        );
      }
      const fault = /^\/__fault\/(503|hang|pass|evil|broken-[\w-]+)(\/.*)$/.exec(path);
      if (fault) {
        const [, kind, rest] = fault;
        if (kind === '503') {
          ctx.status = 503;
          ctx.type = 'text/html';
          ctx.body = '<h1>503 Service Unavailable</h1>';
          return;
        }
        if (kind === 'hang') return new Promise((r) => setTimeout(r, 30_000));
        if (kind !== 'pass' && kind !== 'evil' && !healed.has(kind.slice('broken-'.length))) {
          ctx.status = 502;
          ctx.body = 'Bad Gateway';
          return;
        }
        // Otherwise a transparent pass-through to the real server, Origin included.
        const body =
          ctx.method === 'POST'
            ? await new Promise((r) => {
                let b = '';
                ctx.req.on('data', (c) => (b += c));
                ctx.req.on('end', () => r(b));
              })
            : undefined;
        const res = await fetch(api.url + rest + (ctx.querystring ? `?${ctx.querystring}` : ''), {
          method: ctx.method,
          body,
          headers: {
            'content-type': ctx.get('content-type') || 'text/plain',
            ...(ctx.get('origin') && { origin: ctx.get('origin') }),
          },
        });
        ctx.status = res.status;
        ctx.type = res.headers.get('content-type') ?? 'application/json';
        ctx.body = await res.text();
        // `evil` rewrites where a recorded consent sends the person.
        if (kind === 'evil' && res.status === 201)
          ctx.body = ctx.body.replace(/"redirectUrl":"[^"]*"/, '"redirectUrl":"https://evil.example/phish"');
        return;
      }
      if (path === '/@vite/client') {
        // HMR is off: no client that would try (and fail, noisily) to open a web socket. Vite dev
        // still wraps the widget's dynamic import() in injectQuery, which may pass URLs through.
        ctx.type = 'text/javascript';
        ctx.body =
          'export const injectQuery = (u) => u;\nexport const createHotContext = () => ({ accept() {}, dispose() {}, prune() {}, invalidate() {}, on() {}, send() {} });\nexport const updateStyle = () => {};\nexport const removeStyle = () => {};\n';
        return;
      }
      if (vite && (/\.(ts|css)$/.test(path) || path.startsWith('/@') || path.startsWith('/node_modules/'))) {
        if (await viaVite(ctx)) {
          ctx.respond = false;
          return;
        }
      }
      return next();
    },
  ],
};
