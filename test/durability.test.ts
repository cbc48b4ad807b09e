import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openStore } from '../server/store/index.js';
import { PgDriver } from '../server/store/pg-driver.js';
import { PG_URL, skipUnless, STORE_KINDS } from './support/stores.js';
import { appByName } from '../server/store/apps.js';
import { consentsFor } from '../server/store/ledger.js';

/** Starts the real server process and waits for its "listening" line. */
async function startProcess(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; exited: Promise<unknown> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[\d.:]+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  return { child, url, exited };
}

for (const kind of STORE_KINDS) {
  describe(`an acknowledged consent survives kill -9 (${kind})`, { skip: await skipUnless(kind) }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'optin-dur-'));
    const schema = `d_${randomBytes(5).toString('hex')}`;
    const databaseUrl = kind === 'sqlite' ? join(dir, 'dur.db') : `${PG_URL}?schema=${schema}`;
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      if (kind === 'postgres') {
        const d = new PgDriver(databaseUrl);
        await d.dropSchema();
        await d.close();
      }
    });

    it('Should find every consent that was answered 303 after the process is killed mid-stream', async () => {
      const { child, url, exited } = await startProcess({
        DATABASE_URL: databaseUrl,
        PORT: '0',
        HOST: '127.0.0.1',
        DEMO: 'on',
        CONSENT_RATE_LIMIT: '0',
        CONSENT_PHONE_RATE_LIMIT: '0',
        CONSENT_APP_RATE_LIMIT: '0',
      });
      const acked: string[] = [];
      let stop = false;
      const worker = async (w: number) => {
        for (let i = 0; !stop; i++) {
          const phone = `+1415${String(5550000 + w * 1000 + i).padStart(7, '0')}`;
          try {
            const res = await fetch(`${url}/o/demo`, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: `consent=yes&phone=${encodeURIComponent(phone)}`,
              redirect: 'manual',
            });
            if (res.status === 303) acked.push(phone.slice(1));
          } catch {
            return; // the server is gone
          }
        }
      };
      const workers = Array.from({ length: 20 }, (_, w) => worker(w));
      // Kill mid-stream once enough consents were acknowledged (a busy machine may need longer than a quiet one).
      const deadline = Date.now() + 30_000;
      while (acked.length <= 60 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      child.kill('SIGKILL');
      stop = true;
      await Promise.all(workers);
      await exited;
      assert.ok(acked.length > 50, `only ${acked.length} consents were acknowledged before the kill`);

      const store = openStore(databaseUrl);
      try {
        const app = (await store.read(appByName, 'demo'))!;
        const missing: string[] = [];
        for (const p of acked) if ((await store.read(consentsFor, app.id, p)).length !== 1) missing.push(p);
        assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged consents were lost`);
      } finally {
        await store.close();
      }
    });
  });
}
