import { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { systemClock, type Clock } from '../core/clock.js';
import type { Assets } from './assets.js';
import type { AuthEnv } from './auth.js';
import type { Config } from './config.js';
import type { Deps } from './deps.js';
import { ApiError, errorBody } from './errors.js';
import { FunnelCounter } from './funnel-counter.js';
import { mediaType } from './http.js';
import { RateLimiter } from './rate-limit.js';
import { appRoutes, businessAuth, defaultHook } from './routes/apps.js';
import { consentPageRoutes } from './routes/consent-page.js';
import { eventRoutes } from './routes/events.js';
import { userRoutes } from './routes/users.js';
import { hookRoutes } from './routes/hooks.js';
import { qrRoutes } from './routes/qr.js';
import { settingsRoutes } from './routes/settings.js';
import { staticRoutes } from './routes/static.js';
import { documentWidgetRoutes, widgetApiRoutes } from './routes/widget-api.js';
import type { Store } from './store/index.js';

export interface AppOptions {
  store: Store;
  config: Config;
  assets: Assets;
  clock?: Clock;
  funnel?: FunnelCounter;
}

/**
 * Builds the whole HTTP app from its dependencies. Nothing here reads the environment or opens a
 * database: `main.ts` does that, and each test builds its own.
 *
 * @example
 * const { app } = createApp({ store, config: testConfig(), assets: await loadAssets() });
 * const res = await app.request('/o/demo');
 */
export function createApp(o: AppOptions): { app: OpenAPIHono<AuthEnv>; deps: Deps } {
  const clock = o.clock ?? systemClock;
  const deps: Deps = {
    store: o.store,
    config: o.config,
    clock,
    assets: o.assets,
    funnel: o.funnel ?? new FunnelCounter(),
    limiter: new RateLimiter(o.config.consentRateLimit, () => clock.now()),
  };

  const app = new OpenAPIHono<AuthEnv>({ defaultHook: defaultHook as never });

  app.use(
    secureHeaders({
      // Set per route: the widget's files and API must be readable by other sites.
      crossOriginResourcePolicy: false,
      crossOriginEmbedderPolicy: false,
      xFrameOptions: 'DENY',
      // Set below, only where a route has not chosen its own (the Settings pages send same-origin).
      referrerPolicy: false,
    }),
  );
  app.use(async (c, next) => {
    await next();
    if (!c.res.headers.has('Referrer-Policy')) c.res.headers.set('Referrer-Policy', 'strict-origin-when-cross-origin');
    if (!c.res.headers.has('Content-Security-Policy')) c.res.headers.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    if (!c.res.headers.has('Cross-Origin-Resource-Policy')) c.res.headers.set('Cross-Origin-Resource-Policy', 'same-origin');
  });

  // JSON bodies only, and small: anything else is a clear 415 or 413, never a confusing 422.
  businessAuth(deps, app);
  const limit = bodyLimit({
    maxSize: 64 * 1024,
    onError: () => {
      throw new ApiError(413, 'payload_too_large', 'The body may be at most 64 KB.');
    },
  });
  const jsonOnly: MiddlewareHandler = async (c, next) => {
    // The widget's opt-in route reads its own body (it also takes text/plain).
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS' || c.req.path.endsWith('/optins')) return next();
    // Node gives every DELETE, PUT and POST a body stream, even an empty one: only a body that has
    // content must be JSON.
    const hasBody = Number(c.req.header('content-length') ?? 0) > 0 || c.req.header('transfer-encoding') !== undefined;
    if (hasBody && mediaType(c) !== 'application/json') throw new ApiError(415, 'unsupported_media_type', 'Send application/json.');
    return limit(c, next);
  };
  app.use('/api/v1/apps', jsonOnly);
  app.use('/api/v1/apps/*', jsonOnly);

  app.route('/', staticRoutes(deps));
  app.route('/', consentPageRoutes(deps));
  app.route('/', qrRoutes(deps));
  app.route('/', widgetApiRoutes(deps));
  app.route('/', hookRoutes(deps));
  app.route('/', settingsRoutes(deps));
  appRoutes(deps, app);
  userRoutes(deps, app);
  eventRoutes(deps, app);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  documentWidgetRoutes(app.openAPIRegistry);
  app.doc31('/openapi.json', { openapi: '3.1.0', info: { title: 'optin-kit', version: '1.0.0', description: 'WhatsApp opt-in collection and proof.' }, servers: [{ url: o.config.publicUrl }] });

  app.notFound((c) => c.json(errorBody('not_found', 'Nothing here.'), 404));
  app.onError((err, c) => {
    if (err instanceof ApiError) {
      for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
      return c.json(errorBody(err.code, err.message), err.status as ContentfulStatusCode);
    }
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      const code = status === 400 ? 'malformed_request' : status === 413 ? 'payload_too_large' : status === 401 ? 'unauthorized' : 'error';
      return c.json(errorBody(code, err.message || 'Bad request.'), status);
    }
    console.error('unhandled error', c.req.method, c.req.path, err);
    return c.json(errorBody('internal', 'Something went wrong on our side. Nothing you sent was lost; try again.'), 500);
  });

  return { app, deps };
}
