import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPostgres, NO_POSTGRES, postgresSkipReason } from '../../scripts/preflight.js';
import { PgDriver } from '../../server/store/pg-driver.js';
import { SqliteDriver } from '../../server/store/sqlite-driver.js';
import { Store } from '../../server/store/store.js';

export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let pgUp: Promise<boolean> | null = null;
/**
 * Whether PostgreSQL answers: the preflight's verdict (OPTIN_KIT_NO_POSTGRES, scripts/preflight.ts),
 * else a check of its own. Under CI=true it must: a missing database fails the run.
 */
export function postgresAvailable(): Promise<boolean> {
  pgUp ??= (async () => {
    const verdict = process.env[NO_POSTGRES];
    const problem =
      verdict === '0' ? null : verdict === '1' ? 'the preflight could not connect' : await checkPostgres(PG_URL);
    if (problem === null) return true;
    if (process.env.CI === 'true')
      throw new Error(`PostgreSQL is required in CI and did not answer at ${PG_URL}: ${problem}`);
    return false;
  })();
  return pgUp;
}

export interface TestStore {
  store: Store;
  /** The DATABASE_URL of this store: a server process can open the same data. */
  url: string;
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
      url: file,
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
    url,
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

/** For `describe(..., { skip })`: skips the PostgreSQL half, with the reason, only outside CI when it is down. */
export async function skipUnless(kind: StoreKind): Promise<string | false> {
  return kind === 'postgres' && !(await postgresAvailable()) ? postgresSkipReason(PG_URL) : false;
}
