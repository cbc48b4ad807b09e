import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PgDriver } from '../../server/store/pg-driver.js';
import { SqliteDriver } from '../../server/store/sqlite-driver.js';
import { Store } from '../../server/store/store.js';

export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let pgUp: Promise<boolean> | null = null;
/** Whether PostgreSQL answers. Under CI=true it must: a missing database fails the run. */
export function postgresAvailable(): Promise<boolean> {
  pgUp ??= (async () => {
    const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
    try {
      await c.connect();
      await c.query('SELECT 1');
      return true;
    } catch (e) {
      if (process.env.CI === 'true') throw new Error(`PostgreSQL is required in CI and did not answer at ${PG_URL}: ${(e as Error).message}`);
      console.warn(`PostgreSQL not reachable at ${PG_URL}; skipping the PostgreSQL half outside CI.`);
      return false;
    } finally {
      await c.end().catch(() => {});
    }
  })();
  return pgUp;
}

export interface TestStore {
  store: Store;
  /** Opens a second store on the same data (a restart). */
  reopen(): Store;
  cleanup(): Promise<void>;
}

export type StoreKind = 'sqlite' | 'postgres';
export const STORE_KINDS: StoreKind[] = ['sqlite', 'postgres'];

/** A fresh, migrated store of its own: a temp SQLite file, or a PostgreSQL schema of its own. */
export async function freshStore(kind: StoreKind): Promise<TestStore> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'optin-kit-'));
    const file = join(dir, 'test.db');
    const store = new Store(new SqliteDriver(file));
    await store.migrate();
    const opened: Store[] = [store];
    return {
      store,
      reopen: () => {
        const s = new Store(new SqliteDriver(file));
        opened.push(s);
        return s;
      },
      cleanup: async () => {
        for (const s of opened) await s.close().catch(() => {});
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`;
  const driver = new PgDriver(url, { max: 5 });
  const store = new Store(driver);
  await store.migrate();
  const opened: Store[] = [store];
  return {
    store,
    reopen: () => {
      const s = new Store(new PgDriver(url, { max: 5 }));
      opened.push(s);
      return s;
    },
    cleanup: async () => {
      await driver.dropSchema().catch(() => {});
      for (const s of opened) await s.close().catch(() => {});
    },
  };
}

/** For `describe(..., { skip })`: skips the PostgreSQL half only outside CI when it is down. */
export async function skipUnless(kind: StoreKind): Promise<boolean> {
  return kind === 'postgres' ? !(await postgresAvailable()) : false;
}
