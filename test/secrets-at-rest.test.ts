import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../server/cli.js';
import { parseConfig } from '../server/config.js';
import { startServer } from '../server/main.js';
import { createApp as createAppRecord } from '../server/services/apps.js';
import { appByName } from '../server/store/apps.js';
import { get, run } from '../server/store/driver.js';
import { openStore } from '../server/store/index.js';
import { keyId } from '../server/store/secret-box.js';
import { findApiKey } from '../server/store/keys.js';
import { parseApiKey, sha256 } from '../server/keys.js';
import { ADMIN, harness, type TestHarness } from './support/server.js';
import { skipUnless, STORE_KINDS } from './support/stores.js';

const SENTINEL = `tw-SENTINEL-${randomBytes(6).toString('hex')}`;
const META_VERIFY = `mv-SENTINEL-${randomBytes(6).toString('hex')}`;

/**
 * Runs `script` in its own process with `env` until it prints `ready` (then stops it) or exits by
 * itself, and gives back its exit code and output.
 */
function runUntil(
  script: string,
  env: Record<string, string>,
  ready: RegExp,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => p.kill('SIGTERM'), 30_000);
    const poll = setInterval(() => ready.test(stdout) && p.kill('SIGTERM'), 50);
    p.on('error', reject);
    p.on('exit', (code) => {
      clearTimeout(timer);
      clearInterval(poll);
      resolve({ code, stdout, stderr });
    });
  });
}

for (const kind of STORE_KINDS) {
  describe(`secrets at rest (${kind})`, { skip: await skipUnless(kind) }, () => {
    let h: TestHarness;
    let webhookSecret: string;
    before(async () => {
      h = await harness(kind);
      const res = await h.request('/api/v1/apps', {
        method: 'POST',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'Vault1',
          displayName: 'Vault',
          secrets: { twilioAuthToken: SENTINEL, metaVerifyToken: META_VERIFY },
        }),
      });
      assert.equal(res.status, 201);
      webhookSecret = ((await res.json()) as { webhookSecret: string }).webhookSecret;
      assert.match(webhookSecret, /^whsec_/);
    });
    after(() => h.close());

    it('Should keep provider tokens and the webhook secret out of the database’s bytes', async () => {
      const raw = await h.store.read(() => get<{ secrets: string }>("SELECT secrets FROM apps WHERE name = 'Vault1'"));
      assert.match(raw!.secrets, /^okk-enc:v1:[0-9a-f]{16}:/);
      for (const secret of [SENTINEL, META_VERIFY, webhookSecret, webhookSecret.slice('whsec_'.length)])
        assert.equal(raw!.secrets.includes(secret), false);
      if (kind === 'sqlite') {
        // Every byte on disk: the database file and its write-ahead log.
        const file = h.ts.url;
        const bytes = Buffer.concat([file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f)));
        assert.ok(bytes.includes('okk-enc:v1:'), 'the sealed value is on disk');
        for (const secret of [SENTINEL, META_VERIFY, webhookSecret])
          assert.equal(bytes.includes(secret), false, secret);
      } else {
        // The whole row as PostgreSQL gives it to a backup (pg_dump writes this text).
        const row = await h.store.read(() =>
          get<{ t: string }>("SELECT a::text AS t FROM apps a WHERE name = 'Vault1'"),
        );
        assert.match(row!.t, /okk-enc:v1:/);
        for (const secret of [SENTINEL, META_VERIFY, webhookSecret])
          assert.equal(row!.t.includes(secret), false, secret);
      }
    });

    it('Should still use them: the Meta handshake checks the stored verify token', async () => {
      const ok = await h.request(
        `/hooks/Vault1/whatsapp?hub.mode=subscribe&hub.verify_token=${META_VERIFY}&hub.challenge=42`,
      );
      assert.equal(ok.status, 200);
      assert.equal(await ok.text(), '42');
      const wrong = await h.request(
        '/hooks/Vault1/whatsapp?hub.mode=subscribe&hub.verify_token=nope-nope&hub.challenge=42',
      );
      assert.equal(wrong.status, 403);
    });
  });
}

describe('the secrets key, start-up and rotation (a real server from main.ts)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'optin-kit-vault-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const keyA = randomBytes(32).toString('base64');
  const keyB = randomBytes(32).toString('hex');
  const start = async (env: Record<string, string>) => {
    const parsed = parseConfig({ PORT: '0', DEMO: 'off', WORKER: 'off', ...env });
    assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems));
    const lines: string[] = [];
    const running = await startServer(parsed.config, (s) => lines.push(s));
    return { running, lines };
  };

  it('Should make data folders 0700 and data files 0600, a generated key file among them', async () => {
    const db = join(dir, 'fresh', 'nested', 'optin.db');
    const { running } = await start({ DATABASE_URL: db, DEMO: 'on' });
    try {
      const folder = join(dir, 'fresh', 'nested');
      assert.equal(statSync(folder).mode & 0o777, 0o700);
      assert.equal(statSync(join(dir, 'fresh')).mode & 0o777, 0o700);
      const files = readdirSync(folder);
      for (const f of [
        'optin.db',
        'optin.db-wal',
        'optin.db-shm',
        'optin.db.lock',
        'optin.db.lock.json',
        'secrets.key',
      ])
        assert.ok(files.includes(f), `${f} in ${files.join(', ')}`);
      for (const f of files) assert.equal(statSync(join(folder, f)).mode & 0o777, 0o600, f);
    } finally {
      await running.close();
    }
  });

  it('Should refuse to start without the key the secrets are sealed under, and rotate to a new one', async () => {
    const db = join(dir, 'rotate.db');
    const a = await start({ DATABASE_URL: db, SECRETS_KEY: keyA });
    await a.running.close();
    const seed = openStore(db, { key: keyA, oldKeys: [], keyFile: null });
    await createAppRecord(seed, { name: 'Rot1', displayName: 'Rot', phone: null }, Date.now());
    await seed.close();

    // Key B alone cannot open what key A sealed: a clear start-up error that names key A.
    await assert.rejects(
      start({ DATABASE_URL: db, SECRETS_KEY: keyB }),
      (e: unknown) =>
        e instanceof Error &&
        e.message.includes(keyId(Buffer.from(keyA, 'base64'))) &&
        /not configured: set SECRETS_KEY/.test(e.message),
    );
    // With A as an old key it starts; the CLI then seals everything under B.
    const b = await start({ DATABASE_URL: db, SECRETS_KEY: keyB, SECRETS_OLD_KEYS: keyA });
    await b.running.close();
    const out: string[] = [];
    const env = { DATABASE_URL: db, SECRETS_KEY: keyB, SECRETS_OLD_KEYS: keyA };
    assert.equal(
      await runCli(
        ['secrets', 'rotate'],
        env,
        (s) => out.push(s),
        () => {},
      ),
      0,
    );
    assert.match(out.join('\n'), /encrypted the secrets of 1 app\(s\) again under key/);
    const c = await start({ DATABASE_URL: db, SECRETS_KEY: keyB });
    await c.running.close();
    const errs: string[] = [];
    assert.equal(
      await runCli(
        ['apps', 'show', 'Rot1'],
        { DATABASE_URL: db, SECRETS_KEY: keyA },
        () => {},
        (s) => errs.push(s),
      ),
      1,
    );
    assert.match(errs.join('\n'), /encrypted under key [0-9a-f]{16}, which is not configured/);
  });

  it('Should refuse to start the worker (npm run worker) without the key the secrets are sealed under', async () => {
    const db = join(dir, 'worker.db');
    const seed = openStore(db, { key: keyA, oldKeys: [], keyFile: null });
    await seed.migrate();
    await createAppRecord(seed, { name: 'Work1', displayName: 'Work', phone: null }, Date.now());
    await seed.close();
    const worker = (env: Record<string, string>) =>
      runUntil('server/worker.ts', { DATABASE_URL: db, ...env }, /worker delivering/);
    const refused = await worker({ SECRETS_KEY: keyB });
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, new RegExp(`${keyId(Buffer.from(keyA, 'base64'))}.*not configured`));
    assert.doesNotMatch(refused.stdout, /worker delivering/);
    const started = await worker({ SECRETS_KEY: keyA });
    assert.match(started.stdout, /optin-kit worker delivering the outbox of the sqlite store/, started.stderr);
  });

  it('Should encrypt secrets stored in the clear before, at start-up', async () => {
    const db = join(dir, 'legacy.db');
    const seed = openStore(db, { key: keyA, oldKeys: [], keyFile: null });
    await seed.migrate();
    const { app } = await createAppRecord(seed, { name: 'Old1', displayName: 'Old', phone: null }, Date.now());
    await seed.transact(() =>
      run('UPDATE apps SET secrets = ? WHERE id = ?', [`{"twilioAuthToken":"${SENTINEL}"}`, app.id]),
    );
    await seed.close();
    const { running, lines } = await start({ DATABASE_URL: db, SECRETS_KEY: keyA });
    await running.close();
    assert.ok(lines.includes('optin-kit: encrypted the stored secrets of 1 app(s)'), lines.join('\n'));
    const check = openStore(db, { key: keyA, oldKeys: [], keyFile: null });
    const raw = await check.read(() => get<{ secrets: string }>('SELECT secrets FROM apps WHERE id = ?', [app.id]));
    assert.match(raw!.secrets, /^okk-enc:v1:/);
    assert.equal((await check.read(appByName, 'Old1'))!.secrets.twilioAuthToken, SENTINEL);
    await check.close();
  });

  const serve = (env: Record<string, string>) =>
    runUntil('server/main.ts', { PORT: '0', WORKER: 'off', DEMO: 'on', ...env }, /Create your own app/);

  it('Should print a new demo API key only to a terminal or a named file, never into a piped log', async () => {
    const piped = await serve({ DATABASE_URL: join(dir, 'banner1.db') });
    assert.match(piped.stdout, /optin-kit listening on/);
    assert.match(piped.stdout, /API key is not printed: standard output is not a terminal/);
    assert.doesNotMatch(piped.stdout + piped.stderr, /okk_/);

    const keyFile = join(dir, 'demo-key.txt');
    const named = await serve({ DATABASE_URL: join(dir, 'banner2.db'), DEMO_KEY_FILE: keyFile });
    assert.doesNotMatch(named.stdout + named.stderr, /okk_/);
    assert.match(named.stdout, /written to .*demo-key\.txt \(mode 0600\)/);
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const apiKey = readFileSync(keyFile, 'utf8').trim();
    assert.match(apiKey, /^okk_/);
    // The key written is the demo app's real key.
    const store = openStore(join(dir, 'banner2.db'));
    const demo = (await store.read(appByName, 'demo'))!;
    const record = (await store.read(findApiKey, parseApiKey(apiKey)!.id))!;
    await store.close();
    assert.equal(record.appId, demo.id);
    assert.equal(record.hash, sha256(apiKey));
  });
});
