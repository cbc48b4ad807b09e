import { resolve } from 'node:path';
import type { Driver } from './driver.js';
import { PgDriver } from './pg-driver.js';
import { SqliteDriver } from './sqlite-driver.js';
import { loadKeyring, NO_SECRETS_CONFIG, type SecretsKeyConfig } from './secrets-key.js';
import { Store } from './store.js';

export { AppCache } from './app-cache.js';
export { Store } from './store.js';
export * from './types.js';

/**
 * Opens the store that DATABASE_URL names: a `postgres://` (or `postgresql://`) URL for PostgreSQL,
 * otherwise a file path or `sqlite:` URL for the embedded SQLite store. `secrets` says where the key
 * that seals stored secrets comes from (secrets-key.ts).
 *
 * @example
 * const store = openStore('./data/optin-kit.db');
 * await store.migrate();
 */
export function openStore(url: string, secrets: SecretsKeyConfig = NO_SECRETS_CONFIG): Store {
  const driver: Driver = /^postgres(ql)?:\/\//.test(url) ? new PgDriver(url) : new SqliteDriver(sqlitePath(url));
  return new Store(driver, () => loadKeyring(secrets, driver.file ?? null));
}

export function sqlitePath(url: string): string {
  if (url === ':memory:' || url === 'sqlite::memory:') return ':memory:';
  if (url.startsWith('sqlite://')) return resolve(url.slice('sqlite://'.length));
  if (url.startsWith('sqlite:')) return resolve(url.slice('sqlite:'.length));
  return resolve(url);
}
