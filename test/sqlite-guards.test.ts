import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { manualClock } from '../core/clock.js';
import { createApp } from '../server/app.js';
import { loadAssets } from '../server/assets.js';
import { testConfig } from '../server/config.js';
import { startServer } from '../server/main.js';
import { createApp as createAppRecord, updateApp } from '../server/services/apps.js';
import { Store } from '../server/store/index.js';
import { consentsFor } from '../server/store/ledger.js';
import { SqliteDriver } from '../server/store/sqlite-driver.js';
import { form } from './support/server.js';

const root = join(import.meta.dirname, '..');

describe('one server per SQLite file', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'optin-lock-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const config = (file: string) => testConfig({ port: 0, host: '127.0.0.1', databaseUrl: file, demo: false });

  it('Should refuse a second server on the same file, naming the first, and let it start once the first stopped', async () => {
    const file = join(dir, 'shared.db');
    const first = await startServer(config(file), () => {});
    try {
      await assert.rejects(
        startServer(config(file), () => {}),
        (e: Error) => {
          assert.match(e.message, new RegExp(`in use by optin-kit server pid ${process.pid} on `));
          assert.match(e.message, /One SQLite file serves one server/);
          return true;
        },
      );
    } finally {
      await first.close();
    }
    const second = await startServer(config(file), () => {});
    await second.close();
  });

  it('Should take the file over from a server killed with -9: the lock dies with its process', async () => {
    const file = join(dir, 'killed.db');
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'server/main.ts')], {
      cwd: root,
      env: { ...process.env, PORT: '0', DATABASE_URL: file, DEMO: 'off', WORKER: 'off' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
      child.once('exit', (c) => reject(new Error(`server exited ${c}`)));
    });
    await assert.rejects(
      startServer(config(file), () => {}),
      /in use by optin-kit server pid/,
    );
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const next = await startServer(config(file), () => {});
    await next.close();
  });
});

/** Mounts a tmpfs of `mb` megabytes: a small disk, as small volumes and containers have. */
function smallDisk(dirPath: string, mb: number): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mb}m,mode=0700`, 'tmpfs', dirPath], { stdio: 'pipe' });
    return null;
  } catch (e) {
    const why = `cannot mount a ${mb} MB tmpfs here (${(e as Error).message.split('\n')[0]}); it needs root`;
    if (process.env.CI === 'true') throw new Error(why);
    return why;
  }
}

const diskDir = mkdtempSync(join(tmpdir(), 'optin-disk-'));
const noDisk = smallDisk(diskDir, 3);
if (noDisk) console.log(`sqlite-guards: skipping the small-disk tests: ${noDisk}`);

describe('SQLite on a 3 MB disk', { skip: noDisk ?? false }, () => {
  let store: Store;
  let web: ReturnType<typeof createApp>['app'];
  let appId: string;
  const file = join(diskDir, 'optin.db');
  const clock = manualClock(Date.now());
  const acknowledged: string[] = [];
  let n = 0;

  before(async () => {
    store = new Store(new SqliteDriver(file));
    await store.migrate();
    const { app } = await createAppRecord(
      store,
      { name: 'SmallDisk', displayName: 'Small Disk', phone: '+14155550123' },
      clock.now(),
    );
    appId = (await updateApp(store, app, { live: true }, clock.now())).id;
    ({ app: web } = createApp({
      store,
      config: testConfig({ publicUrl: 'http://optin.test' }),
      assets: await loadAssets(),
      clock,
    }));
  });
  after(async () => {
    await store.close().catch(() => {});
    try {
      execFileSync('umount', [diskDir]);
    } catch {
      // Already unmounted.
    }
    rmSync(diskDir, { recursive: true, force: true });
  });

  const post = async () => {
    const phone = `+1415555${String(3000 + n++).padStart(4, '0')}`;
    const res = await web.request('http://optin.test/o/SmallDisk', form({ consent: 'yes', phone, via: 'qr' }));
    if (res.status === 303) acknowledged.push(phone.slice(1));
    return res;
  };

  it('Should keep the write-ahead log bounded: 1,500 consents, 10 at a time, fit where the log alone once filled the disk', async () => {
    let maxWal = 0;
    for (let i = 0; i < 150; i++) {
      const batch = await Promise.all(Array.from({ length: 10 }, post));
      for (const r of batch) assert.equal(r.status, 303);
      if (existsSync(`${file}-wal`)) maxWal = Math.max(maxWal, statSync(`${file}-wal`).size);
    }
    assert.ok(maxWal <= 1.6 * 1024 * 1024, `the log reached ${maxWal} bytes`);
  });

  it('Should answer 503 while the disk is full, keep what it acknowledged, and recover by itself', async () => {
    const free = () => Number(execFileSync('df', ['--output=avail', '-B1', diskDir]).toString().split('\n')[1]);
    const filler = join(diskDir, 'filler');
    writeFileSync(filler, Buffer.alloc(Math.max(0, free() - 64 * 1024)));
    const statuses = new Map<number, number>();
    let retryAfter: string | null = null;
    for (let i = 0; i < 400 && !statuses.get(503); i++) {
      const r = await post();
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      if (r.status === 503) retryAfter = r.headers.get('retry-after');
    }
    assert.ok(statuses.get(503), `the disk never filled: ${JSON.stringify([...statuses])}`);
    assert.equal(retryAfter, '5');
    assert.deepEqual(
      [...statuses.keys()].filter((s) => s !== 303 && s !== 503),
      [],
      'only 303 or 503',
    );
    const full = await post();
    assert.equal(full.status, 503, 'still full, still a clear 503');
    assert.match(await full.text(), /Your consent was not recorded/);
    rmSync(filler);
    let recovered = false;
    for (let i = 0; i < 5 && !recovered; i++) recovered = (await post()).status === 303;
    assert.ok(recovered, 'consents are recorded again once there is room');
    await store.close();
    const reopened = new Store(new SqliteDriver(file));
    try {
      for (const p of acknowledged)
        assert.equal((await reopened.read(consentsFor, appId, p)).length, 1, `acknowledged ${p} is kept`);
    } finally {
      await reopened.close();
    }
  });
});
