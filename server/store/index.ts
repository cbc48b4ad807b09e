import { resolve } from 'node:path';
import { PgDriver } from './pg-driver.js';
import { SqliteDriver } from './sqlite-driver.js';
import { Store } from './store.js';

export { AppCache } from './app-cache.js';
export { Store } from './store.js';
export * from './types.js';

/**
 * Opens the store that DATABASE_URL names: a `postgres://` (or `postgresql://`) URL for PostgreSQL,
 * otherwise a file path or `sqlite:` URL for the embedded SQLite store.
 *
 * @example
 * const store = openStore('./data/optin-kit.db');
 * await store.migrate();
 */
export function openStore(url: string): Store {
  if (/^postgres(ql)?:\/\//.test(url)) return new Store(new PgDriver(url));
  return new Store(new SqliteDriver(sqlitePath(url)));
}

export function sqlitePath(url: string): string {
  if (url === ':memory:' || url === 'sqlite::memory:') return ':memory:';
  if (url.startsWith('sqlite://')) return resolve(url.slice('sqlite://'.length));
  if (url.startsWith('sqlite:')) return resolve(url.slice('sqlite:'.length));
  return resolve(url);
}
