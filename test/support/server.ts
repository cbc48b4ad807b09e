import type { AddressInfo } from 'node:net';
import { manualClock, systemClock, type Clock } from '../../core/clock.js';
import { createApp } from '../../server/app.js';
import { loadAssets } from '../../server/assets.js';
import { listen } from '../../server/listen.js';
import { testConfig, type Config } from '../../server/config.js';
import { createApp as createAppRecord, updateApp, type CreateAppInput } from '../../server/services/apps.js';
import type { AppSettings } from '../../server/app-settings.js';
import type { AppRecord, Store } from '../../server/store/index.js';
import { freshStore, type StoreKind, type TestStore } from './stores.js';

export { manualClock };

export interface TestAppOptions {
  name?: string;
  displayName?: string;
  phone?: string | null;
  live?: boolean;
  settings?: Partial<AppSettings>;
  wording?: CreateAppInput['wording'];
}

let seq = 0;

/** Makes an app straight in the store, as the operator would, and returns it with its API key. */
export async function makeApp(
  store: Store,
  o: TestAppOptions = {},
  now = Date.now(),
): Promise<{ app: AppRecord; apiKey: string; name: string }> {
  const name = o.name ?? `App${process.pid}_${++seq}`;
  const { app, apiKey } = await createAppRecord(
    store,
    {
      name,
      displayName: o.displayName ?? 'Acme Shoes',
      phone: o.phone ?? null,
      settings: o.settings,
      wording: o.wording,
    },
    now,
  );
  const final = o.live ? await updateApp(store, app, { live: true }, now) : app;
  return { app: final, apiKey, name };
}

export interface TestHarness {
  app: ReturnType<typeof createApp>['app'];
  deps: ReturnType<typeof createApp>['deps'];
  store: Store;
  ts: TestStore;
  config: Config;
  /** app.request with the test server's origin filled in. */
  request: (path: string, init?: RequestInit) => Promise<Response>;
  makeApp: (o?: TestAppOptions) => Promise<{ app: AppRecord; apiKey: string; name: string }>;
  close: () => Promise<void>;
}

/** An in-memory app (no socket) on a fresh store: the quickest way to call every route. */
export async function harness(
  kind: StoreKind = 'sqlite',
  o: { config?: Partial<Config>; clock?: Clock } = {},
): Promise<TestHarness> {
  const ts = await freshStore(kind);
  const config = testConfig({
    publicUrl: 'http://optin.test',
    adminToken: 'admin-token-for-tests-0123456789',
    ...o.config,
  });
  const built = createApp({ store: ts.store, config, assets: await loadAssets(), clock: o.clock ?? systemClock });
  return {
    ...built,
    store: ts.store,
    ts,
    config,
    request: async (path, init) => built.app.request(new URL(path, config.publicUrl).toString(), init),
    makeApp: (ao) => makeApp(ts.store, ao),
    close: () => ts.cleanup(),
  };
}

export interface TestServer extends TestHarness {
  url: string;
}

/**
 * The real thing on a loopback port: the same app behind @hono/node-server, PUBLIC_URL set to
 * where it listens. For browser tests and anything that needs a socket.
 */
export async function startTestServer(
  kind: StoreKind = 'sqlite',
  o: { config?: Partial<Config>; clock?: Clock } = {},
): Promise<TestServer> {
  const ts = await freshStore(kind);
  const limits = testConfig(o.config).http;
  const server = await listen((req, env) => handler(req, env), { port: 0, host: '127.0.0.1', http: limits });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = testConfig({ publicUrl: url, adminToken: 'admin-token-for-tests-0123456789', ...o.config });
  const built = createApp({ store: ts.store, config, assets: await loadAssets(), clock: o.clock ?? systemClock });
  const handler = built.app.fetch;
  return {
    ...built,
    url,
    store: ts.store,
    ts,
    config,
    request: (path, init) => fetch(new URL(path, url), init),
    makeApp: (ao) => makeApp(ts.store, ao),
    close: async () => {
      (server as import('node:http').Server).closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await ts.cleanup();
    },
  };
}

export const ADMIN = { authorization: 'Bearer admin-token-for-tests-0123456789' };

/** A URL-encoded form post, as the consent page's form sends it. */
export function form(fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  };
}
