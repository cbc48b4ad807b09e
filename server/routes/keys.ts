import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../deps.js';
import { newApiKey, newWebhookSecret } from '../keys.js';
import { appFor } from '../middleware/bearer-auth.js';
import { updateApp } from '../store/apps.js';
import { rotateKey } from '../store/keys.js';
import { apiErrors, AppParam, BEARER, iso, json, openApiRouter } from './openapi.js';

const AppP = AppParam;

const rotateKeyRoute = createRoute({
  method: 'post',
  path: '/api/v1/apps/{app}/keys/rotate',
  operationId: 'rotateApiKey',
  tags: ['Apps'],
  summary: 'A new API key; every older key of the app is revoked at once',
  security: BEARER,
  request: { params: AppP },
  responses: {
    200: json(z.object({ apiKey: z.string(), revoked: z.number() }), 'The new key, shown once'),
    ...apiErrors('post'),
  },
});

const rotateSecretRoute = createRoute({
  method: 'post',
  path: '/api/v1/apps/{app}/webhook-secret/rotate',
  operationId: 'rotateWebhookSecret',
  tags: ['Apps'],
  summary: 'A new webhook signing secret; for 24 hours events carry signatures with both',
  security: BEARER,
  request: { params: AppP },
  responses: {
    200: json(z.object({ webhookSecret: z.string(), previousValidUntil: z.string() }), 'The new secret, shown once'),
    ...apiErrors('post'),
  },
});

/** How long the old webhook secret keeps signing after a rotation. */
export const SECRET_GRACE_MS = 24 * 3600_000;

/** Credentials: the app's API key and its webhook signing secret, rotated. */
export function keyRoutes(deps: Deps) {
  const api = openApiRouter();
  api.openapi(rotateKeyRoute, async (c) => {
    const app = await appFor(deps, c, c.req.valid('param').app);
    const key = newApiKey();
    const revoked = await deps.store.transact(rotateKey, app.id, key, deps.clock.now());
    return c.json({ apiKey: key.key, revoked }, 200);
  });

  api.openapi(rotateSecretRoute, async (c) => {
    const app = await appFor(deps, c, c.req.valid('param').app);
    const now = deps.clock.now();
    const secret = newWebhookSecret();
    const until = now + SECRET_GRACE_MS;
    await deps.store.transact(
      updateApp,
      app.id,
      (cur) => ({
        secrets: {
          ...cur.secrets,
          webhookSecret: secret,
          previousWebhookSecret: cur.secrets.webhookSecret ? { secret: cur.secrets.webhookSecret, until } : undefined,
        },
      }),
      now,
    );
    return c.json({ webhookSecret: secret, previousValidUntil: iso(until) }, 200);
  });
  return api;
}
