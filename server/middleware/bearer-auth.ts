import type { Context, MiddlewareHandler } from 'hono';
import type { Deps } from '../deps.js';
import { ApiError } from '../errors.js';
import { clientIp } from '../http.js';
import type { FailureGate } from '../rate-limit.js';
import { parseApiKey, safeEqual, sha256 } from '../keys.js';
import { findApiKey } from '../store/keys.js';
import type { AppRecord } from '../store/index.js';

export type Caller = { kind: 'admin' } | { kind: 'key'; appId: string; keyId: string };
export type AuthEnv = { Variables: { caller: Caller } };

/**
 * Bearer authentication for the business API: the operator's ADMIN_TOKEN, or an app's API key.
 * Each failure has its own code, so an integrator can tell a typo from a revoked key. Wrong tokens
 * are throttled per address (`failures`), as the Settings sign-in is: past the limit, that address
 * gets 429 with Retry-After, whatever it sends, until the window ends; other addresses are not
 * affected.
 *
 * @example
 * app.use('/api/v1/apps/*', bearerAuth({ store, adminToken: config.adminToken, trustProxy, failures }));
 */
export function bearerAuth(o: {
  store: Deps['store'];
  adminToken: string | null;
  trustProxy: boolean;
  failures: FailureGate;
}): MiddlewareHandler<AuthEnv> {
  const tooMany = (wait: number) =>
    new ApiError(429, 'too_many_failures', 'Too many wrong keys from this address. Try again later.', {
      'Retry-After': String(wait),
    });
  return async (c, next) => {
    const h = c.req.header('authorization');
    if (!h)
      throw new ApiError(401, 'missing_key', 'Send your API key as "Authorization: Bearer <key>".', {
        'WWW-Authenticate': 'Bearer',
      });
    const ip = clientIp(c, o.trustProxy);
    const waiting = o.failures.blocked(ip);
    if (waiting > 0) throw tooMany(waiting);
    // Counts the failure, then refuses: with 429 once this address is over its limit.
    const refuse = async (e: ApiError): Promise<never> => {
      const wait = await o.failures.fail(ip);
      throw wait > 0 ? tooMany(wait) : e;
    };
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    if (!m)
      return refuse(
        new ApiError(401, 'invalid_key', 'The Authorization header must be "Bearer <key>".', {
          'WWW-Authenticate': 'Bearer',
        }),
      );
    const token = m[1]!;
    if (o.adminToken && safeEqual(token, o.adminToken)) {
      c.set('caller', { kind: 'admin' });
      return next();
    }
    const parsed = parseApiKey(token);
    const row = parsed ? await o.store.read(findApiKey, parsed.id) : null;
    if (!row || !safeEqual(row.hash, sha256(token))) {
      return refuse(
        new ApiError(401, 'invalid_key', 'That API key is not valid.', {
          'WWW-Authenticate': 'Bearer error="invalid_token"',
        }),
      );
    }
    if (row.revokedAt !== null)
      return refuse(
        new ApiError(401, 'revoked_key', 'That API key was revoked. Use the newest key.', {
          'WWW-Authenticate': 'Bearer error="invalid_token"',
        }),
      );
    c.set('caller', { kind: 'key', appId: row.appId, keyId: row.id });
    return next();
  };
}

export function requireAdmin(c: Context<AuthEnv>): void {
  if (c.get('caller').kind !== 'admin')
    throw new ApiError(403, 'admin_only', 'Only the operator (ADMIN_TOKEN) can do this.');
}

/** Who made a change, for the consent record: the operator, or an API key by its id. */
export const actorOf = (c: Caller): string => (c.kind === 'admin' ? 'admin' : `key:${c.keyId}`);

/** Finds the app in the path that this caller may act on. Another app's key gets 403, whether or not the app exists. */
export async function appFor(deps: Pick<Deps, 'apps'>, c: Context<AuthEnv>, name: string): Promise<AppRecord> {
  const app = await deps.apps.byName(name);
  const caller = c.get('caller');
  if (caller.kind === 'key' && (!app || app.id !== caller.appId))
    throw new ApiError(403, 'wrong_app', 'This API key belongs to another app.');
  if (!app) throw new ApiError(404, 'app_not_found', `No app is named ${name}.`);
  return app;
}
