import { OpenAPIHono, z as oz } from '@hono/zod-openapi';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CAMPAIGN_PATTERN } from '../../core/app-name.js';
import { LOCALES, isLocale, type Locale } from '../../core/locale.js';
import { describeTextProblem, findBadText } from '../../core/text.js';
import { renderWording } from '../../core/wording.js';
import { WidgetSettingsSchema } from '../app-settings.js';
import type { ConsentLimitKind, ConsentRefusal } from '../consent-limits.js';
import type { Deps } from '../deps.js';
import { MESSAGES } from '../views/messages.js';
import { ApiError, findApp } from '../errors.js';
import { clientIp, mediaType, readText } from '../http.js';
import { checkPhone, recordWebConsent, redirectFor } from '../services/consent.js';
import type { AppRecord } from '../store/index.js';
import { PHONE_PATTERN } from '../app-settings.js';
import { ErrorSchema, errorResponses, json } from './openapi.js';

export const OptinBodySchema = z.object({
  consent: z.literal(true, { error: 'consent must be true: the person ticked the box' }),
  phone: z.string().max(64).optional(),
  via: z.literal('widget').default('widget'),
  campaign: z.string().regex(CAMPAIGN_PATTERN, 'campaign must be 1 to 64 letters, digits, - or _').optional(),
  lang: z.enum(LOCALES as [Locale, ...Locale[]]).optional(),
  page: z.string().max(2048).optional(),
  /** The page's title, for a prefill that uses `{title}`; it is not stored. */
  title: z.string().max(500).optional(),
  wordingVersion: z.number().int().positive().optional(),
  /**
   * The Settings page's live preview (`<whatsapp-optin preview>`): checked like a real consent and
   * answered 200 with where the person would go, but nothing is recorded, counted or sent.
   */
  preview: z.boolean().optional(),
  /** The solved proof of work (base64 JSON), when the app asks for one: see `GET …/challenge`. */
  altcha: z.string().max(2000).optional(),
});

/** Campaign of a widget open, as the widget reports it: empty for none (its `campaign` attribute's default). */
const OpenBodySchema = z.object({
  campaign: z.union([z.literal(''), z.string().regex(CAMPAIGN_PATTERN)]).optional(),
  preview: z.boolean().optional(),
});

/**
 * A consent from the Settings page's own preview: this server's origin and a page under /settings
 * (only signed-in marketers see those). Recorded never, whatever the widget sends.
 */
export function isSettingsPreview(publicUrl: string, origin: string | undefined, page: string | undefined): boolean {
  const own = new URL(publicUrl).origin;
  if (origin !== own || !page) return false;
  try {
    const u = new URL(page);
    return u.origin === own && (u.pathname === '/settings' || u.pathname.startsWith('/settings/'));
  } catch {
    return false;
  }
}

/** The widget's public view of an app: nothing secret, cacheable. */
export async function publicView(deps: Pick<Deps, 'apps'>, app: AppRecord) {
  const current = await deps.apps.wordings(app.id);
  return {
    name: app.name,
    displayName: app.displayName,
    live: app.live && app.phone !== null,
    phoneField: app.settings.phoneField,
    wording: Object.fromEntries(
      LOCALES.map((l) => [
        l,
        { version: current[l]!.version, text: renderWording(current[l]!.template, app.displayName) },
      ]),
    ),
    theme: app.settings.theme,
    privacyUrl: app.settings.privacyUrl,
    phone: app.phone,
    widget: app.settings.widget,
    challenge: app.settings.challenge,
  };
}

/**
 * An origin may post consents if the app lists it, or if it is this server's own (the demo page,
 * the hosted pages). A request without an Origin is refused: browsers always send one on a
 * cross-origin POST (Fetch standard, "append a request `Origin` header"), so only scripts omit it,
 * and they have the business API.
 */
export function originAllowed(deps: Deps, app: AppRecord, origin: string | undefined): boolean {
  if (!origin) return false;
  return origin === new URL(deps.config.publicUrl).origin || app.settings.allowedOrigins.includes(origin);
}

/**
 * `GET /api/v1/apps/:app/public` and `POST /api/v1/apps/:app/optins`: the widget's two calls, the
 * only public routes under `/api/v1/apps` (mounted before the business API's authentication).
 */
export function widgetApiRoutes(deps: Deps): OpenAPIHono {
  const r = new OpenAPIHono();
  documentWidgetRoutes(r.openAPIRegistry);

  const appOr404 = (name: string) => findApp(deps, name);
  /**
   * A site the app does not allow gets 403 origin_not_allowed, for a consent and for an opening alike,
   * and is kept for the Settings page, which offers to allow it in one click.
   */
  const refuseUnlessAllowed = (app: AppRecord, origin: string): void => {
    if (originAllowed(deps, app, origin)) return;
    deps.refusedOrigins.add(app.id, origin);
    throw new ApiError(
      403,
      'origin_not_allowed',
      `${origin} may not post opt-ins for ${app.name}. Add it to the app's allowedOrigins.`,
    );
  };

  // The widget runs on other sites: its errors must be readable there too, or a page could only
  // say "could not connect" when the truth is "unknown app" or "this site is not allowed".
  r.use('/api/v1/apps/:app/challenge', async (c, next) => {
    c.header('Access-Control-Allow-Origin', '*');
    c.header('Cross-Origin-Resource-Policy', 'cross-origin');
    await next();
  });
  r.get('/api/v1/apps/:app/challenge', async (c) => {
    await appOr404(c.req.param('app'));
    c.header('Cache-Control', 'no-store');
    return c.json(deps.challenges.issue());
  });
  r.use('/api/v1/apps/:app/public', async (c, next) => {
    c.header('Access-Control-Allow-Origin', '*');
    c.header('Cross-Origin-Resource-Policy', 'cross-origin');
    await next();
  });
  // Every answer is readable by the posting page, refusals included: a page the app does not list
  // gets only the 403 (before anything is read or written), so echoing its origin reveals nothing
  // but the refusal, which the site owner needs to see.
  r.use('/api/v1/apps/:app/optins', async (c, next) => {
    const origin = c.req.header('origin');
    c.header('Vary', 'Origin');
    if (origin) c.header('Access-Control-Allow-Origin', origin);
    c.header('Cross-Origin-Resource-Policy', 'cross-origin');
    await next();
  });

  r.get('/api/v1/apps/:app/public', async (c) => {
    const app = await appOr404(c.req.param('app'));
    const body = JSON.stringify(await publicView(deps, app));
    // Of the body itself, so that a cache never keeps old wording under a new tag.
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    // Public, non-personal data: any page may read it, and caches may keep it a minute.
    c.header('Cache-Control', 'public, max-age=60, stale-while-revalidate=600');
    c.header('ETag', etag);
    if (c.req.header('if-none-match') === etag) return c.body(null, 304);
    c.header('Content-Type', 'application/json; charset=utf-8');
    return c.body(body);
  });

  r.options('/api/v1/apps/:app/optins', async (c) => {
    const app = await appOr404(c.req.param('app'));
    const origin = c.req.header('origin');
    if (!originAllowed(deps, app, origin)) {
      if (origin) deps.refusedOrigins.add(app.id, origin);
      return c.body(null, 403);
    }
    c.header('Access-Control-Allow-Methods', 'POST');
    c.header('Access-Control-Allow-Headers', 'Content-Type');
    c.header('Access-Control-Max-Age', '86400');
    return c.body(null, 204);
  });

  r.post('/api/v1/apps/:app/optins', async (c) => {
    const app = await appOr404(c.req.param('app'));
    const origin = c.req.header('origin');
    if (!origin)
      throw new ApiError(
        403,
        'origin_required',
        'Widget opt-ins come from a web page, whose browser sends an Origin header. Servers use the business API.',
      );
    refuseUnlessAllowed(app, origin);
    // text/plain carries the same JSON without a CORS preflight, which costs a slow phone a round trip.
    const type = mediaType(c);
    if (type !== 'application/json' && type !== 'text/plain')
      throw new ApiError(415, 'unsupported_media_type', 'Send JSON (application/json or text/plain).');
    const ip = clientIp(c, deps.config.trustProxy);
    const busy = await deps.consentLimits.address(ip);
    if (busy) throw tooMany(busy);
    const text = await readText(c, 8 * 1024);
    if (text === null) throw new ApiError(413, 'payload_too_large', 'The body may be at most 8 KB.');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ApiError(400, 'malformed_json', 'The body is not valid JSON.');
    }
    const bad = findBadText(json);
    if (bad) throw new ApiError(422, 'invalid_text', `${bad.path} ${describeTextProblem(bad.problem)}.`);
    const parsed = OptinBodySchema.safeParse(json);
    if (!parsed.success) {
      const first = parsed.error.issues[0]!;
      const code =
        first.path[0] === 'consent'
          ? 'consent_required'
          : first.path[0] === 'campaign'
            ? 'invalid_campaign'
            : 'invalid_request';
      throw new ApiError(
        422,
        code,
        parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
      );
    }
    const b = parsed.data;
    const lang: Locale = b.lang && isLocale(b.lang) ? b.lang : 'en';
    const phone = checkPhone(app, b.phone);
    if (!phone.ok) {
      // The widget shows this message: it is in the person's language.
      const m = MESSAGES[lang];
      throw new ApiError(
        422,
        phone.error,
        phone.error === 'phone_required'
          ? `${m.errPhoneRequired}.`
          : phone.error === 'country_required'
            ? m.errCountryWidget
            : `${m.errPhone}.`,
      );
    }
    const page = b.page ?? c.req.header('referer') ?? undefined;
    if (b.preview === true || isSettingsPreview(deps.config.publicUrl, origin, page)) {
      // The preview shows where people would go; it records, counts and sends nothing.
      c.header('Cache-Control', 'no-store');
      return c.json(
        { preview: true, optinId: null, redirectUrl: redirectFor(app, null, deps.config.sandboxNumber), ref: null },
        200,
      );
    }
    if (app.settings.challenge === 'proof-of-work') {
      const solved = await deps.challenges.redeem(b.altcha);
      if (!solved.ok)
        throw new ApiError(
          422,
          'challenge_failed',
          `This app asks for a proof of work: GET /api/v1/apps/${app.name}/challenge, solve it and send it as altcha (${solved.reason}).`,
        );
    }
    const limited = await deps.consentLimits.consent(app.id, phone.phone);
    if (limited) throw tooMany(limited);
    const out = await recordWebConsent(deps, app, phone.phone, {
      phone: phone.phone,
      via: 'widget',
      campaign: b.campaign ?? null,
      locale: lang,
      wordingVersion: b.wordingVersion ?? null,
      ip,
      userAgent: c.req.header('user-agent') ?? null,
      page: b.page ?? c.req.header('referer') ?? null,
      pageTitle: b.title ?? null,
    });
    c.header('Cache-Control', 'no-store');
    return c.json({ optinId: out.consent.id, redirectUrl: out.redirectUrl, ref: out.ref }, 201);
  });

  // A widget open, for the funnel: counted in memory like a page view (no cookie, nothing personal).
  // It is also the widget's first word with the server when the panel opens, so a site the app does
  // not allow hears it here (403, readable thanks to `*`) before the person types anything.
  r.use('/api/v1/apps/:app/opens', async (c, next) => {
    c.header('Access-Control-Allow-Origin', '*');
    c.header('Cross-Origin-Resource-Policy', 'cross-origin');
    await next();
  });
  r.post('/api/v1/apps/:app/opens', async (c) => {
    const app = await appOr404(c.req.param('app'));
    const origin = c.req.header('origin');
    if (!origin) throw new ApiError(403, 'origin_required', 'Widget opens come from a web page.');
    refuseUnlessAllowed(app, origin);
    const type = mediaType(c);
    if (type !== 'application/json' && type !== 'text/plain')
      throw new ApiError(415, 'unsupported_media_type', 'Send JSON (application/json or text/plain).');
    const text = await readText(c, 1024);
    if (text === null) throw new ApiError(413, 'payload_too_large', 'The body may be at most 1 KB.');
    let body: z.infer<typeof OpenBodySchema>;
    try {
      const parsed = OpenBodySchema.safeParse(JSON.parse(text || '{}'));
      if (!parsed.success)
        throw new ApiError(422, 'invalid_request', 'campaign must be 1 to 64 letters, digits, - or _');
      body = parsed.data;
    } catch (e) {
      if (e instanceof ApiError) throw e;
      throw new ApiError(400, 'malformed_json', 'The body is not valid JSON.');
    }
    // The Settings page's preview is not the funnel's: it says so, or its Referer does (the page
    // sends `Referrer-Policy: same-origin`, so its own requests carry their /settings path).
    const counted = !body.preview && !isSettingsPreview(deps.config.publicUrl, origin, c.req.header('referer'));
    if (counted) deps.funnel.add(app.id, deps.clock.now(), 'widget', body.campaign || null, 'view');
    return c.body(null, 204);
  });

  return r;
}

const TOO_MANY: Record<ConsentLimitKind, string> = {
  address: 'Too many opt-ins from this address. Try again shortly.',
  phone: 'Too many opt-ins for this phone number. Try again in a minute.',
  app: 'This app is receiving too many opt-ins right now. Try again shortly.',
};

/** A refused consent: 429 with Retry-After, and which limit it was. */
const tooMany = (r: ConsentRefusal) =>
  new ApiError(429, 'rate_limited', TOO_MANY[r.kind], { 'Retry-After': String(r.wait) });

/** The widget's two calls in the OpenAPI document, from the schema the opt-in route validates with. */
function documentWidgetRoutes(registry: OpenAPIHono['openAPIRegistry']): void {
  const Wording = oz.object({ version: oz.number().int(), text: oz.string() });
  const PublicApp = oz
    .object({
      name: oz.string(),
      displayName: oz.string(),
      live: oz.boolean(),
      phoneField: oz.enum(['required', 'optional', 'none']),
      wording: oz.object({ en: Wording, es: Wording, pt: Wording }),
      theme: oz.object({ color: oz.string(), position: oz.enum(['right', 'left']) }),
      privacyUrl: oz.string().nullable(),
      phone: oz.string().nullable().openapi({
        description: 'The business’s WhatsApp number: the widget routes links to it through the consent panel.',
      }),
      challenge: oz.enum(['off', 'proof-of-work']).openapi({
        description: 'Whether an opt-in must carry a solved proof of work (`altcha`)',
      }),
      widget: WidgetSettingsSchema.openapi({
        description:
          'The floating button’s marketer settings (greeting, triggers, devices, paths, label, offsets, analytics).',
      }),
    })
    .openapi('PublicApp');
  const app = oz.object({ app: oz.string().openapi({ param: { name: 'app', in: 'path' }, example: 'Acme' }) });
  const OptinDoc = OptinBodySchema.extend({
    phone: OptinBodySchema.shape.phone.openapi({
      pattern: PHONE_PATTERN,
      description:
        'The person’s WhatsApp number (required unless the app’s phoneField says otherwise); without a country code it is read in the app’s defaultCountry, and with none set it gets 422 country_required (never a guessed country). A number that does not exist gets 422 invalid_phone. The error’s message is in the request’s lang, for the widget to show.',
    }),
  }).openapi('OptinRequest');
  registry.registerPath({
    method: 'get',
    path: '/api/v1/apps/{app}/public',
    operationId: 'getPublicApp',
    tags: ['Widget'],
    summary: 'What the widget needs (public, cacheable, readable from any origin)',
    security: [],
    request: { params: app },
    responses: {
      200: json(PublicApp, 'The app’s public view'),
      304: { description: 'Not modified (If-None-Match)' },
      ...errorResponses(400, 404, 503),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/apps/{app}/challenge',
    operationId: 'getChallenge',
    tags: ['Widget'],
    summary:
      'A fresh proof-of-work challenge (ALTCHA format, valid 5 minutes, accepted once): find number such that SHA-256(salt + number) = challenge',
    security: [],
    request: { params: app },
    responses: {
      200: json(
        oz
          .object({
            algorithm: oz.literal('SHA-256'),
            challenge: oz.string(),
            maxnumber: oz.number().int(),
            salt: oz.string(),
            signature: oz.string(),
          })
          .openapi('Challenge'),
        'Solve it, then send base64(JSON {algorithm, challenge, number, salt, signature}) as altcha',
      ),
      ...errorResponses(400, 404, 503),
    },
  });
  registry.registerPath({
    method: 'options',
    path: '/api/v1/apps/{app}/optins',
    operationId: 'preflightWidgetOptin',
    tags: ['Widget'],
    summary: 'CORS preflight (only application/json needs one): allowed for the app’s allowedOrigins',
    security: [],
    request: { params: app },
    responses: {
      204: { description: 'Allowed: Access-Control-Allow-Methods POST' },
      403: { description: 'This origin may not post opt-ins for the app' },
      ...errorResponses(400, 404, 503),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/apps/{app}/optins',
    operationId: 'createWidgetOptin',
    tags: ['Widget'],
    security: [],
    summary:
      'A widget opt-in. CORS only from the app’s allowedOrigins (and this server). text/plain JSON avoids a preflight.',
    request: {
      params: app,
      body: {
        required: true,
        content: { 'application/json': { schema: OptinDoc }, 'text/plain': { schema: OptinDoc } },
      },
    },
    responses: {
      201: json(
        oz.object({ optinId: oz.string(), redirectUrl: oz.string(), ref: oz.string() }).openapi('Optin'),
        'Recorded; send the person to redirectUrl',
      ),
      200: json(
        oz
          .object({
            preview: oz.literal(true),
            optinId: oz.null(),
            redirectUrl: oz.string(),
            ref: oz.null(),
          })
          .openapi('OptinPreview'),
        'A preview (`preview: true`, or the Settings page’s own preview): checked, nothing recorded, counted or sent',
      ),
      ...errorResponses(400, 403, 404, 413, 415, 422, 429, 503),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/apps/{app}/opens',
    operationId: 'countWidgetOpen',
    tags: ['Widget'],
    security: [],
    summary:
      'The widget’s panel was opened: counted as a widget view in the funnel (no cookie, nothing personal). An origin the app does not allow gets 403 origin_not_allowed (the widget then offers the hosted consent page before anything is typed); previews are not counted.',
    description:
      'The widget sends it once per opening of its panel, as a text/plain POST (no CORS preflight) with `keepalive`. Readable from any origin (`Access-Control-Allow-Origin: *`), refusals included. A refused origin is listed on the Settings page, as for `createWidgetOptin`. `preview: true`, or a request from this server’s own /settings pages, is answered 204 and not counted.',
    request: {
      params: app,
      body: {
        required: false,
        content: { 'application/json': { schema: OpenBodySchema }, 'text/plain': { schema: OpenBodySchema } },
      },
    },
    responses: {
      204: { description: 'Counted (a preview: not counted)' },
      ...errorResponses(400, 403, 404, 413, 415, 422, 503),
      403: json(
        ErrorSchema,
        'origin_not_allowed: this origin is not among the app’s allowedOrigins (the widget shows the hosted consent page); origin_required: no Origin header',
      ),
    },
  });
}
