/**
 * Preflight for `npm test`: is there a Chromium for the browser tests, a PostgreSQL for the
 * PostgreSQL half of the store-backed tests, a Redis for the shared rate limits, and HAProxy for the
 * several-servers test?
 *
 * - Outside CI, each missing thing gets ONE line up front (what is missing, how to install it, which
 *   tests are skipped) and the run goes on without those tests.
 * - Under CI=true the same line fails the run: nothing is skipped in CI.
 *
 * The verdict reaches the test processes through the environment: OPTIN_KIT_NO_CHROME and
 * OPTIN_KIT_NO_POSTGRES, '1' (missing: skip) or '0' (present). scripts/test.ts (`npm test`) and
 * scripts/run-node-tests.ts set them; test/support/chrome.ts and test/support/stores.ts read them.
 * Unset means no preflight ran (a test file started by hand): those helpers then check for
 * themselves, with the same functions, silently (the skip reason says why).
 *
 * `tsx scripts/preflight.ts` runs the checks alone: exit 0, or 1 under CI=true when something is missing.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

export const NO_CHROME = 'OPTIN_KIT_NO_CHROME';
export const NO_POSTGRES = 'OPTIN_KIT_NO_POSTGRES';
export const NO_REDIS = 'OPTIN_KIT_NO_REDIS';
export const NO_HAPROXY = 'OPTIN_KIT_NO_HAPROXY';

const REDIS_HOW = 'install it with "apt-get install -y redis-server" (Debian) or set TEST_REDIS_URL';
const REDIS_TESTS = 'the Redis rate-limit tests';
const HAPROXY_HOW = 'install it with "apt-get install -y haproxy" (Debian)';
const HAPROXY_TESTS = 'the several-servers test (test/cluster.test.ts)';

export function testRedisUrl(): string {
  return process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** Null when Redis answers PING at `url` within 2 s, else why not. */
export function checkRedis(url: string): Promise<string | null> {
  return new Promise((resolve) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return resolve(`${url} is not a URL`);
    }
    const s = connect(Number(u.port || 6379), u.hostname);
    const done = (why: string | null) => {
      s.destroy();
      resolve(why);
    };
    s.setTimeout(2000, () => done('no answer within 2 s'));
    s.on('error', (e) => done(e.message || (e as NodeJS.ErrnoException).code || 'error'));
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) =>
      done(
        /^\+PONG/.test(d.toString()) || /NOAUTH/.test(d.toString()) ? null : `unexpected answer ${d.toString().trim()}`,
      ),
    );
  });
}

/** The haproxy binary on PATH, or why not. */
export function findHaproxy(): { path: string } | { problem: string } {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean).concat(['/usr/sbin', '/sbin'])) {
    if (isExecutableFile(join(dir, 'haproxy'))) return { path: join(dir, 'haproxy') };
  }
  return { problem: 'haproxy is not on PATH' };
}

/** For `describe(…, { skip })` in the Redis tests. Never skips under CI=true. */
export async function redisSkipReason(): Promise<string | false> {
  if (ci() || process.env[NO_REDIS] === '0') return false;
  const problem = process.env[NO_REDIS] === '1' ? 'the preflight could not reach it' : await checkRedis(testRedisUrl());
  return problem ? `no Redis at ${testRedisUrl()} (${problem}): ${REDIS_HOW}` : false;
}

/** For `describe(…, { skip })` in the several-servers test. Never skips under CI=true. */
export function haproxySkipReason(): string | false {
  if (ci() || process.env[NO_HAPROXY] === '0') return false;
  const found = findHaproxy();
  if ('path' in found && process.env[NO_HAPROXY] !== '1') return false;
  return `no HAProxy (${'problem' in found ? found.problem : 'see the preflight'}): ${HAPROXY_HOW}`;
}

const CHROME_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
const CHROME_HOW = 'install it with "apt-get install -y chromium" (Debian) or set CHROME_PATH to a Chrome binary';
const CHROME_TESTS = 'the browser tests (test/**/*.e2e.test.ts and npm run test:browser)';
const POSTGRES_HOW =
  'install it with "apt-get install -y postgresql" (Debian; trust auth, database "test") or set TEST_DATABASE_URL';
const POSTGRES_TESTS = 'the PostgreSQL half of the store-backed tests';

const ci = () => process.env.CI === 'true';

export function testDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

function isExecutableFile(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** CHROME_PATH if set (it must be an executable file), else the first Chromium or Chrome on PATH. */
export function findChrome(): { path: string } | { problem: string } {
  const env = process.env.CHROME_PATH;
  if (env) return isExecutableFile(env) ? { path: env } : { problem: `CHROME_PATH=${env} is not an executable file` };
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of CHROME_NAMES) {
    for (const dir of dirs) if (isExecutableFile(join(dir, name))) return { path: join(dir, name) };
  }
  return { problem: `none of ${CHROME_NAMES.join(', ')} is on PATH` };
}

/** Null when PostgreSQL answers `SELECT 1` at `url` within 3 s, else why not. */
export async function checkPostgres(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000, query_timeout: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (e) {
    // A refused connection to a name with several addresses is an AggregateError with no message.
    const err = e instanceof AggregateError && e.errors.length ? (e.errors[0] as Error) : (e as Error);
    return err.message || (err as NodeJS.ErrnoException).code || String(err);
  } finally {
    await client.end().catch(() => {});
  }
}

/** The URL without its password, for messages. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

function line(what: string, how: string, tests: string): string {
  return ci()
    ? `preflight: ${what}; ${how}. CI=true: ${tests} must run, failing.`
    : `preflight: ${what}; ${how}. Skipping ${tests}.`;
}

/** For `describe(…, { skip })` in the browser tests: why they are skipped, or false. Never skips under CI=true. */
export function chromeSkipReason(): string | false {
  if (ci() || process.env[NO_CHROME] === '0') return false;
  const found = findChrome();
  if ('path' in found && process.env[NO_CHROME] !== '1') return false;
  return `no Chromium (${'problem' in found ? found.problem : 'see the preflight'}): ${CHROME_HOW}`;
}

/** For `describe(…, { skip })` in the store-backed tests once PostgreSQL did not answer. */
export function postgresSkipReason(url: string): string {
  return `no PostgreSQL at ${redact(url)}: ${POSTGRES_HOW}`;
}

/**
 * Runs both checks, prints one line per missing thing, and returns the environment to hand to
 * the test processes; `ok` is false when something is missing under CI=true.
 */
export async function runPreflight(): Promise<{ ok: boolean; env: Record<string, string> }> {
  const chrome = findChrome();
  const url = testDatabaseUrl();
  const pgProblem = await checkPostgres(url);
  const redisProblem = await checkRedis(testRedisUrl());
  const haproxy = findHaproxy();
  const lines: string[] = [];
  if ('problem' in chrome) lines.push(line(`no Chromium (${chrome.problem})`, CHROME_HOW, CHROME_TESTS));
  if (pgProblem) lines.push(line(`no PostgreSQL at ${redact(url)} (${pgProblem})`, POSTGRES_HOW, POSTGRES_TESTS));
  if (redisProblem) lines.push(line(`no Redis at ${redact(testRedisUrl())} (${redisProblem})`, REDIS_HOW, REDIS_TESTS));
  if ('problem' in haproxy) lines.push(line(`no HAProxy (${haproxy.problem})`, HAPROXY_HOW, HAPROXY_TESTS));
  for (const l of lines) console.error(l);
  return {
    ok: !(ci() && lines.length > 0),
    env: {
      [NO_CHROME]: 'problem' in chrome ? '1' : '0',
      [NO_POSTGRES]: pgProblem ? '1' : '0',
      [NO_REDIS]: redisProblem ? '1' : '0',
      [NO_HAPROXY]: 'problem' in haproxy ? '1' : '0',
    },
  };
}

/** Runs the preflight unless one already ran in this process tree; exits 1 when it fails. */
export async function ensurePreflight(): Promise<void> {
  if ([NO_CHROME, NO_POSTGRES, NO_REDIS, NO_HAPROXY].every((k) => process.env[k] !== undefined)) return;
  const { ok, env } = await runPreflight();
  if (!ok) process.exit(1);
  Object.assign(process.env, env);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { ok } = await runPreflight();
  process.exit(ok ? 0 : 1);
}
