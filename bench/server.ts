/**
 * The benchmark's server: the real app on a fresh SQLite file (or DATABASE_URL), with one extra
 * route, `GET /__noop`, that answers 302 through the same middleware: the baseline every other
 * figure is a ratio to. Run in its own process so the load generator does not share its event loop.
 */
import { serve } from '@hono/node-server';
import { createApp } from '../server/app.js';
import { loadAssets } from '../server/assets.js';
import { parseConfig } from '../server/config.js';
import { createApp as createAppRecord, updateApp } from '../server/services/apps.js';
import { appByName } from '../server/store/apps.js';
import { openStore } from '../server/store/index.js';

const parsed = parseConfig(process.env);
if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
const config = {
  ...parsed.config,
  consentRateLimit: 0,
  consentPhoneRateLimit: 0,
  consentAppRateLimit: 0,
  qrRateLimit: 0,
  demo: false,
};
const store = openStore(config.databaseUrl);
await store.migrate();
if (!(await store.read(appByName, 'bench'))) {
  const { app } = await createAppRecord(
    store,
    { name: 'bench', displayName: 'Bench Shoes', phone: '+14155550123' },
    Date.now(),
  );
  await updateApp(store, app, { live: true }, Date.now());
}
const { app } = createApp({ store, config, assets: await loadAssets() });
app.get('/__noop', (c) => c.redirect('https://wa.me/14155550123', 302));
const server = serve({ fetch: app.fetch, port: config.port, hostname: '127.0.0.1' }, (info) =>
  console.log(`bench server listening on ${info.port}`),
);
process.on('SIGTERM', () => server.close(() => void store.close().then(() => process.exit(0))));
if (process.env.EXIT_AFTER_MS) setTimeout(() => process.exit(0), Number(process.env.EXIT_AFTER_MS)).unref();
