import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseConfig } from '../server/config.js';
import { runCli } from '../server/cli.js';
import { appByName } from '../server/store/apps.js';
import { recordConsent } from './support/ledger.js';

describe('configuration from the environment', () => {
  it('Should have working defaults', () => {
    const r = parseConfig({});
    assert.ok(r.ok);
    assert.equal(r.config.port, 8787);
    assert.equal(r.config.databaseUrl, './data/optin-kit.db');
    assert.equal(r.config.sandboxNumber, '917834811114');
    assert.equal(r.config.publicUrl, 'http://localhost:8787');
    assert.equal(r.config.demo, true);
  });
  it('Should read what is set, treating empty variables as unset', () => {
    const r = parseConfig({
      PORT: '9000',
      PUBLIC_URL: 'https://optin.example.com/',
      DEMO: 'off',
      SANDBOX_NUMBER: '15550001111',
      CONSENT_RATE_LIMIT: '0',
      ADMIN_TOKEN: '',
    });
    assert.ok(r.ok);
    assert.equal(r.config.publicUrl, 'https://optin.example.com');
    assert.equal(r.config.demo, false);
    assert.equal(r.config.consentRateLimit, 0);
    assert.equal(r.config.adminToken, null);
  });
  const bad: [Record<string, string>, RegExp][] = [
    [{ PORT: 'eighty' }, /^PORT: /],
    [{ PORT: '70000' }, /^PORT: /],
    [{ PUBLIC_URL: 'optin.example.com' }, /^PUBLIC_URL: /],
    [{ PUBLIC_URL: 'ftp://x.example' }, /^PUBLIC_URL: /],
    [{ SANDBOX_NUMBER: '+91 78348' }, /^SANDBOX_NUMBER: must be 6 to 15 digits/],
    [{ ADMIN_TOKEN: 'short' }, /^ADMIN_TOKEN: must be at least 16/],
    [{ DEMO: 'maybe' }, /^DEMO: /],
    [{ CONSENT_RATE_LIMIT: '-1' }, /^CONSENT_RATE_LIMIT: /],
  ];
  for (const [env, want] of bad) {
    it(`Should name the variable that is wrong: ${JSON.stringify(env)}`, () => {
      const r = parseConfig(env);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.problems[0]!, want);
    });
  }
  it('Should stop start-up with that message and a non-zero exit', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: { ...process.env, PORT: 'nope', SANDBOX_NUMBER: 'x' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /configuration is invalid/);
    assert.match(r.stderr, /PORT: /);
    assert.match(r.stderr, /SANDBOX_NUMBER: /);
  });
});

describe('CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'optin-cli-'));
  const env = { DATABASE_URL: join(dir, 'cli.db'), PUBLIC_URL: 'https://optin.example.com' };
  after(() => rmSync(dir, { recursive: true, force: true }));
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    let written = '';
    const code = await runCli(
      argv,
      env,
      (s) => out.push(s),
      (s) => err.push(s),
      async (chunk) => void (written += chunk),
    );
    return { code, out: out.join('\n'), err: err.join('\n'), written };
  };

  it('Should create an app and print its links and key once', async () => {
    const r = await run('apps', 'create', '--name', 'Acme', '--display-name', 'Acme Shoes', '--phone', '+14155550123');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Acme {2}"Acme Shoes" {2}sandbox {2}phone \+14155550123/);
    assert.match(r.out, /https:\/\/optin\.example\.com\/o\/Acme\/qr\.svg/);
    assert.match(r.out, /API key \(shown once, keep it secret\): okk_/);
  });
  it('Should list, show and change apps', async () => {
    assert.match((await run('apps', 'list')).out, /^Acme\s+sandbox Acme Shoes$/m);
    const set = await run(
      'apps',
      'set',
      'acme',
      '--live',
      '--phone-field',
      'optional',
      '--allowed-origin',
      'https://a.example',
      '--allowed-origin',
      'https://b.example',
      '--prefill',
      'Hello Acme',
    );
    assert.equal(set.code, 0, set.err);
    assert.match(set.out, /live/);
    const { openStore } = await import('../server/store/index.js');
    const store = openStore(env.DATABASE_URL);
    try {
      const app = (await store.read(appByName, 'Acme'))!;
      assert.equal(app.live, true);
      assert.equal(app.settings.phoneField, 'optional');
      assert.deepEqual(app.settings.allowedOrigins, ['https://a.example', 'https://b.example']);
      assert.equal(app.settings.prefill, 'Hello Acme');
      assert.equal(app.phone, '14155550123');
    } finally {
      await store.close();
    }
    assert.match((await run('apps', 'show', 'Acme')).out, /Consent page\s+https:\/\/optin\.example\.com\/o\/Acme/);
  });
  it('Should explain mistakes with a non-zero exit', async () => {
    const dup = await run('apps', 'create', '--name', 'ACME', '--display-name', 'X');
    assert.equal(dup.code, 1);
    assert.match(dup.err, /already exists/);
    const missing = await run('apps', 'create', '--name', 'Foo');
    assert.equal(missing.code, 2);
    assert.match(missing.err, /--display-name are required/);
    assert.equal((await run('apps', 'set', 'Acme', '--phone', '12')).code, 1);
    assert.equal((await run('apps', 'show', 'Nope1')).code, 2);
    assert.equal((await run('frobnicate')).code, 2);
    assert.equal((await run('apps', 'create', '--bogus')).code, 2);
    assert.equal((await run('--help')).code, 0);
  });
  it('Should write a QR code that decodes to the consent page, with the campaign', async () => {
    const file = join(dir, 'poster.png');
    const r = await run('qr', 'acme', '--campaign', 'spring', '--out', file, '--size', '512');
    assert.equal(r.code, 0, r.err);
    const { PNG } = await import('pngjs');
    const jsqr = (await import('jsqr')) as unknown as {
      default: (d: Uint8ClampedArray, w: number, h: number) => { data: string } | null;
    };
    const img = PNG.sync.read(readFileSync(file));
    const decode = (jsqr.default as unknown as { default?: typeof jsqr.default }).default ?? jsqr.default;
    assert.equal(
      decode(new Uint8ClampedArray(img.data), img.width, img.height)?.data,
      'https://optin.example.com/o/Acme?via=qr&c=spring',
    );
    const svg = join(dir, 'poster.svg');
    assert.equal((await run('qr', 'Acme', '--out', svg)).code, 0);
    assert.match(readFileSync(svg, 'utf8'), /^<svg/);
    assert.equal((await run('qr', 'Acme', '--out', join(dir, 'x.gif'))).code, 2);
    assert.equal((await run('qr', 'Acme', '--out', svg, '--campaign', 'bad tag')).code, 2);
    assert.equal((await run('qr', 'Nope1', '--out', svg)).code, 2);
  });

  it('Should list and export users, and rotate keys', async () => {
    const { openStore } = await import('../server/store/index.js');
    const { recordWebConsent } = await import('../server/services/consent.js');
    void recordWebConsent;
    const store = openStore(env.DATABASE_URL);
    try {
      const app = (await store.read(appByName, 'Acme'))!;
      const { randomUUID } = await import('node:crypto');
      for (let i = 0; i < 3; i++) {
        await recordConsent(store, {
          id: randomUUID(),
          appId: app.id,
          phone: `1415555090${i}`,
          action: 'opt_in',
          via: 'api',
          wording: null,
          locale: null,
          at: Date.now() + i,
          ip: null,
          userAgent: null,
          page: null,
          campaign: null,
          ref: null,
          actor: 'cli-test',
          verified: false,
        });
      }
    } finally {
      await store.close();
    }
    const list = await run('users', 'list', 'Acme', '--limit', '2');
    assert.equal(list.code, 0, list.err);
    assert.match(list.out, /^\+14155550900\s+opted_in\s+inactive\s+api/m);
    assert.match(list.err, /more users: add --cursor \S+/);
    const cursor = /--cursor (\S+)/.exec(list.err)![1]!;
    assert.match((await run('users', 'list', 'Acme', '--cursor', cursor)).out, /\+14155550902/);
    assert.equal((await run('users', 'list', 'Acme', '--optin', 'maybe')).code, 2);
    const exp = await run('users', 'export', 'Acme');
    assert.equal(exp.code, 0, exp.err);
    const lines = exp.written.trimEnd().split('\r\n');
    assert.equal(
      lines[0],
      'phone,optin,activity,via,verified,flagged,optin_at,last_inbound_at,created_at,updated_at,aliases,marketing,moved_to',
    );
    assert.equal(lines.length, 4);
    assert.match(exp.err, /export done/);
    const rot = await run('keys', 'rotate', 'Acme');
    assert.equal(rot.code, 0, rot.err);
    assert.match(rot.out, /New API key for Acme \(shown once, keep it secret\): okk_/);
    assert.match(rot.err, /1 older key revoked/);
    assert.equal((await run('keys', 'spin', 'Acme')).code, 2);
    assert.equal((await run('users', 'list')).code, 2);
  });

  it('Should list, retry and recover user-events', async () => {
    const { openStore } = await import('../server/store/index.js');
    const { updateApp } = await import('../server/services/apps.js');
    const { recordBusinessChange } = await import('../server/services/consent.js');
    const { claimDue, finishAttempts } = await import('../server/store/outbox.js');
    const { systemClock } = await import('../core/clock.js');
    const store = openStore(env.DATABASE_URL);
    let ids: string[] = [];
    try {
      const app = await updateApp(
        store,
        (await store.read(appByName, 'Acme'))!,
        { settings: { callbackUrl: 'https://business.example/hook' } },
        Date.now(),
      );
      for (const p of ['14155550911', '14155550912', '14155550913']) {
        await recordBusinessChange({ store, clock: systemClock }, app, p, { action: 'opt_in', actor: 'cli-test' });
      }
      // All three fail for good; one of them is then held by a worker.
      const claimed = await store.transact(claimDue, Date.now(), 10, 60_000);
      ids = claimed.map((c) => c.id);
      await store.transact(
        finishAttempts,
        claimed.map((c) => ({
          id: c.id,
          claim: c.lockedUntil,
          attempt: { at: Date.now(), status: 404, error: 'HTTP 404', ms: 1 },
          next: { status: 'failed' as const, nextAt: Date.now(), attempts: 9 },
        })),
      );
    } finally {
      await store.close();
    }
    const list = await run('events', 'list', 'Acme', '--state', 'failed');
    assert.equal(list.code, 0, list.err);
    for (const id of ids) assert.match(list.out, new RegExp(`^${id}\\s+opted-in\\s+failed\\s+9`, 'm'));
    const retry = await run('events', 'retry', 'Acme', ids[0]!);
    assert.equal(retry.code, 0, retry.err);
    assert.match(retry.out, /is due now/);
    assert.match((await run('events', 'list', 'Acme', '--state', 'due')).out, new RegExp(ids[0]!));
    const rec = await run('events', 'recover', 'Acme', '--since', '1h');
    assert.equal(rec.code, 0, rec.err);
    assert.match(rec.out, /^2 events of Acme since .* are due now$/m);
    assert.equal((await run('events', 'recover', 'Acme', '--since', 'yesterday')).code, 2);
    assert.equal((await run('events', 'retry', 'Acme', 'evt_nope')).code, 2);
  });

  it('Should run as the installed optin-kit command', () => {
    const r = spawnSync(process.execPath, ['bin/optin-kit.mjs', 'apps', 'list'], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Acme/);
  });
});
