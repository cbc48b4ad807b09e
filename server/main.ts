import { createApp } from './app.js';
import { loadAssets } from './assets.js';
import { parseConfig, type Config } from './config.js';
import { ensureDemoApp, urlsFor } from './demo.js';
import { FunnelCounter } from './funnel-counter.js';
import { deliverMessage } from './delivery/messages.js';
import { deliverEvent } from './delivery/user-events.js';
import { OutboxWorker } from './delivery/worker.js';
import { checkSecretsAtStart } from './services/apps.js';
import { listApps } from './store/apps.js';
import { writeFileSync } from 'node:fs';
import { listen } from './listen.js';
import { log as logLine } from './log.js';
import { openStore } from './store/index.js';
import { lockSqliteFile, SqliteDriver } from './store/sqlite-driver.js';

/**
 * Starts the server: parses the environment (stopping with a clear message if it is wrong), opens
 * and migrates the store, seeds the demo app, listens, and flushes counters on the way out.
 */
export async function startServer(
  config: Config,
  log: (s: string) => void = console.log,
  o: { terminal?: boolean } = {},
): Promise<{ url: string; close: () => Promise<void> }> {
  const store = openStore(config.databaseUrl, config.secrets);
  // One server per SQLite file: a second one is refused with the first one's name (PostgreSQL takes many).
  let unlock = () => {};
  try {
    if (store.driver instanceof SqliteDriver) unlock = lockSqliteFile(store.driver.file, { url: null });
  } catch (e) {
    await store.close();
    throw e;
  }
  const applied = await store.migrate();
  if (applied.length) log(`optin-kit: applied migrations ${applied.join(', ')} to the ${store.kind} store`);
  try {
    const sealed = await checkSecretsAtStart(store);
    if (sealed) log(`optin-kit: encrypted the stored secrets of ${sealed} app(s)`);
  } catch (e) {
    await store.close();
    unlock();
    throw e;
  }
  const funnel = new FunnelCounter();
  const { app, deps } = createApp({ store, config, assets: await loadAssets(), funnel });
  const worker = new OutboxWorker(
    deps,
    { event: deliverEvent, message: deliverMessage },
    { pollMs: config.workerPollMs },
  );
  if (config.worker) worker.start();
  const demo = config.demo
    ? await ensureDemoApp(store, Date.now(), config.publicUrl)
    : { created: false, apiKey: null };

  const server = await listen(app.fetch, config);
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const flusher = setInterval(
    () =>
      void funnel
        .flush(store)
        .catch((e: unknown) => logLine.error('funnel counts could not be written; kept for the next try', e)),
    5000,
  );
  flusher.unref();

  log(`optin-kit listening on http://${config.host}:${port} (public URL ${config.publicUrl}, ${store.kind} store)`);
  const apps = await store.read(listApps);
  const show = apps.find((a) => a.name === 'demo') ?? apps[0];
  if (show) {
    log(`\nApp "${show.name}" (${show.live ? 'live' : 'sandbox'}):`);
    for (const [k, v] of Object.entries(urlsFor(config.publicUrl, show.name))) log(`  ${k.padEnd(18)} ${v}`);
  }
  log(`  ${'Settings page'.padEnd(18)} ${config.publicUrl}/settings (sign in with the app's API key)`);
  if (demo.apiKey) {
    // A key printed into a log (journald, docker logs) is a key anyone reading logs has: only a
    // terminal, or a file the operator names, gets it.
    if (config.demoKeyFile) {
      writeFileSync(config.demoKeyFile, demo.apiKey + '\n', { mode: 0o600 });
      log(`\nThe demo app's API key was written to ${config.demoKeyFile} (mode 0600).`);
    } else if (o.terminal ?? process.stdout.isTTY) log(`\nThe demo app's API key (shown once): ${demo.apiKey}`);
    else
      log(
        `\nThe demo app's API key is not printed: standard output is not a terminal. Set DEMO_KEY_FILE to have it written to a file, or make a new one with npx optin-kit keys rotate demo.`,
      );
  } else if (show) log(`\nLost the API key? npx optin-kit keys rotate ${show.name} makes a new one.`);
  log(
    `\nCreate your own app:\n  npx optin-kit apps create --name Acme --display-name "Acme Shoes" --phone +14155550123`,
  );
  if (!config.adminToken) log('  (set ADMIN_TOKEN to create apps over HTTP with POST /api/v1/apps)');

  return {
    url: `http://${config.host}:${port}`,
    close: async () => {
      clearInterval(flusher);
      await new Promise<void>((r) => server.close(() => r()));
      await worker.stop();
      await funnel.flush(store);
      await deps.rateLimits.close?.();
      await store.close();
      unlock();
    },
  };
}

async function main(): Promise<void> {
  const parsed = parseConfig(process.env);
  if (!parsed.ok) {
    console.error('optin-kit: the configuration is invalid:\n' + parsed.problems.map((p) => `  - ${p}`).join('\n'));
    process.exit(2);
  }
  const running = await startServer(parsed.config);
  const stop = async () => {
    await running.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: unknown) => {
    console.error('optin-kit: could not start:', e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
