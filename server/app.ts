import { OpenAPIHono } from '@hono/zod-openapi';
import { systemClock, type Clock } from '../core/clock.js';
import type { Assets } from './assets.js';
import type { Config } from './config.js';
import type { Deps } from './deps.js';
import { notFound, onError } from './errors.js';
import { FunnelCounter } from './funnel-counter.js';
import { RefusedOrigins } from './refused-origins.js';
import { bearerAuth, type AuthEnv } from './middleware/bearer-auth.js';
import { jsonBody } from './middleware/json-body.js';
import { requestGuard } from './middleware/request-guard.js';
import { securityHeaders } from './middleware/security-headers.js';
import { ChallengeGate } from './challenge.js';
import { ConsentLimits } from './consent-limits.js';
import { FailureGate, limitBackend, type LimitBackend } from './rate-limit.js';
import { appRoutes } from './routes/apps.js';
import { consentPageRoutes } from './routes/consent-page.js';
import { eligibilityRoutes } from './routes/eligibility.js';
import { eventRoutes } from './routes/events.js';
import { hookRoutes } from './routes/hooks.js';
import { keyRoutes } from './routes/keys.js';
import { documentPublicRoutes, documentUserEvents } from './routes/public-docs.js';
import { qrRoutes } from './routes/qr.js';
import { staticRoutes } from './routes/static.js';
import { statsRoutes } from './routes/stats.js';
import { userRoutes } from './routes/users.js';
import { widgetApiRoutes } from './routes/widget-api.js';
import { settingsPageRoutes } from './settings-page/routes.js';
import { AppCache, type Store } from './store/index.js';

export interface AppOptions {
  store: Store;
  config: Config;
  assets: Assets;
  clock?: Clock;
  funnel?: FunnelCounter;
  /** Where rate limits count; by default shared when the store is PostgreSQL or REDIS_URL is set. */
  rateLimits?: LimitBackend;
}

/**
 * Builds the whole HTTP app from its dependencies. Nothing here reads the environment or opens a
 * database: `main.ts` does that, and each test builds its own. This function is the routing table:
 * what is mounted first answers first.
 *
 * @example
 * const { app } = createApp({ store, config: testConfig(), assets: await loadAssets() });
 * const res = await app.request('/o/demo');
 */
export function createApp(o: AppOptions): { app: OpenAPIHono<AuthEnv>; deps: Deps } {
  const clock = o.clock ?? systemClock;
  const rateLimits = o.rateLimits ?? limitBackend({ redisUrl: o.config.redisUrl, store: o.store });
  const deps: Deps = {
    store: o.store,
    apps: new AppCache(o.store, clock),
    config: o.config,
    clock,
    assets: o.assets,
    funnel: o.funnel ?? new FunnelCounter(),
    consentLimits: new ConsentLimits(o.config, () => clock.now(), rateLimits),
    challenges: new ChallengeGate({
      secret: o.config.challengeSecret,
      maxNumber: o.config.challengeMaxNumber,
      now: () => clock.now(),
      backend: rateLimits,
    }),
    rateLimits,
    refusedOrigins: new RefusedOrigins(() => clock.now()),
  };

  const app = new OpenAPIHono<AuthEnv>();
  app.use(securityHeaders());
  // Malformed or NUL escapes in the URL are a 400 here; a body an answer left unread is drained.
  app.use(requestGuard({ assets: o.assets }));

  // People and providers: no key.
  app.route('/', staticRoutes(deps)); // /widget.js, /assets/*, /demo, /healthz, /
  app.route('/', consentPageRoutes(deps)); // /o/:app
  app.route('/', qrRoutes(deps)); // /o/:app/qr.svg, /o/:app/qr.png
  app.route('/', hookRoutes(deps)); // /hooks/:app/sms, /hooks/:app/whatsapp, /hooks/sandbox/whatsapp
  app.route('/', settingsPageRoutes(deps)); // /settings, with its own session
  // The widget's two public calls answer before the business API's authentication runs.
  app.route('/', widgetApiRoutes(deps)); // /api/v1/apps/:app/public, /api/v1/apps/:app/optins

  // The business API: a bearer key first (a bad key is a 401 before anything else), then JSON only.
  app.use(
    '/api/v1/apps/*',
    bearerAuth({
      store: deps.store,
      adminToken: deps.config.adminToken,
      trustProxy: deps.config.trustProxy,
      failures: new FailureGate(deps.config.authFailureLimit, () => clock.now(), rateLimits, 'auth'),
    }),
    jsonBody({ maxSize: 64 * 1024 }),
  );
  app.route('/', appRoutes(deps)); // /api/v1/apps, /api/v1/apps/:app
  app.route('/', userRoutes(deps)); // /api/v1/apps/:app/users...
  app.route('/', eligibilityRoutes(deps)); // /api/v1/apps/:app/eligibility
  app.route('/', statsRoutes(deps)); // /api/v1/apps/:app/stats
  app.route('/', eventRoutes(deps)); // /api/v1/apps/:app/events...
  app.route('/', keyRoutes(deps)); // /api/v1/apps/:app/keys/rotate, /api/v1/apps/:app/webhook-secret/rotate

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'The app’s API key (okk_…), or the operator’s ADMIN_TOKEN',
  });
  documentPublicRoutes(app.openAPIRegistry); // /o/*, /hooks/*, files: routes written without createRoute
  documentUserEvents(app.openAPIRegistry); // the user-events sent to callbackUrl, as `webhooks`
  // Generated once, on the first request: building it costs about 100 ms of CPU, which anyone could
  // otherwise ask for again and again.
  let document: string | null = null;
  app.get('/openapi.json', (c) => {
    document ??= JSON.stringify(app.getOpenAPI31Document(documentConfig));
    c.header('Content-Type', 'application/json; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(document);
  });
  const documentConfig: Parameters<typeof app.getOpenAPI31Document>[0] = {
    openapi: '3.1.0',
    info: {
      title: 'optin-kit',
      version: '1.0.0',
      description:
        'WhatsApp opt-in collection and proof. Errors are `{error: {code, message}}` for programs and pages in the person’s language on /o/*; 429 and 503 carry Retry-After.',
      license: { name: 'MIT', url: 'https://opensource.org/license/mit' },
    },
    servers: [{ url: o.config.publicUrl }],
    security: [{ bearer: [] }],
  };

  app.notFound(notFound);
  app.onError(onError);
  return { app, deps };
}
