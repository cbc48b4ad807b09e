import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { CAMPAIGN_PATTERN } from '../../core/app-name.js';
import { LOCALES } from '../../core/locale.js';
import { VIAS } from '../../core/optin-state.js';
import { PHONE_PATTERN } from '../app-settings.js';
import { GUPSHUP_EVENT_TYPES } from '../delivery/user-events.js';
import { AppParam, errorResponses, ErrorSchema, json, RETRY_AFTER } from './openapi.js';

type Registry = OpenAPIHono['openAPIRegistry'];

/** Public operations need no key: `security: []` overrides the document's default (the bearer key). */
const PUBLIC: [] = [];

const html = (description: string, headers?: typeof RETRY_AFTER) => ({
  description,
  content: { 'text/html': { schema: z.string() } },
  ...(headers ? { headers } : {}),
});

const Campaign = z
  .string()
  .regex(CAMPAIGN_PATTERN)
  .openapi({ description: 'A campaign tag: 1 to 64 letters, digits, - or _', example: 'spring' });
const Lang = z.enum(LOCALES as [string, ...string[]]);

/** `GET /o/:app`'s query, as server/routes/consent-page.ts reads it. */
const PageQuery = z.object({
  via: z.enum(['qr', 'url']).optional().openapi({ description: 'How the person came: `qr` or `url` (default)' }),
  c: Campaign.optional(),
  lang: Lang.optional().openapi({ description: 'Otherwise from Accept-Language, then English' }),
});

/** The consent page's form, as its HTML sends it (`application/x-www-form-urlencoded`). */
const ConsentForm = z
  .object({
    consent: z
      .string()
      .optional()
      .openapi({ description: '`yes` when the box is ticked; anything else is a 422 page and nothing is recorded' }),
    phone: z.string().max(2000).optional().openapi({
      pattern: PHONE_PATTERN,
      description:
        'The person’s WhatsApp number (required unless the app’s phoneField says otherwise). Without a country code it is read in the app’s defaultCountry. A number that does not exist is a 422 page with the input kept.',
    }),
    via: z.enum(['qr', 'url']).optional(),
    c: z.union([Campaign, z.literal('')]).optional(),
    lang: Lang.optional(),
    wv: z.string().optional().openapi({ description: 'The wording version the page showed' }),
    website: z
      .string()
      .optional()
      .openapi({ description: 'A honeypot left empty by people: filled, nothing is recorded' }),
  })
  .openapi('ConsentForm');

const TwilioSms = z
  .object({
    MessageSid: z.string().regex(/^(SM|MM)[0-9a-fA-F]{32}$/),
    SmsSid: z.string().optional().openapi({ description: 'When sent, equal to MessageSid' }),
    SmsMessageSid: z.string().optional().openapi({ description: 'When sent, equal to MessageSid' }),
    From: z.string().min(1).max(64),
    To: z.string().optional(),
    Body: z.string().max(1600).optional(),
  })
  .openapi('TwilioInboundSms', {
    description:
      'Twilio’s inbound SMS form; other Twilio fields are allowed and signed. A parameter name that appears twice is refused (400).',
  });

const HookResult = z
  .object({
    ok: z.literal(true),
    handled: z.number().int().openapi({ description: 'Messages recorded' }),
    duplicates: z.number().int().openapi({ description: 'Messages already recorded by an earlier delivery' }),
    ignored: z.number().int().openapi({ description: 'Parts with nothing to record (status updates, unknown types)' }),
    malformed: z
      .number()
      .int()
      .openapi({ description: 'Parts that could not be read (a retry would not change that)' }),
    problems: z.array(z.string()).openapi({ description: 'The unreadable parts, named (at most 20)' }),
  })
  .openapi('HookResult');

const hookErrors = (...s: (400 | 403 | 404 | 413 | 415 | 503)[]) => errorResponses(...s);

/** Every route: a URL with a malformed percent-escape or an escaped NUL (server/middleware/request-guard.ts). */
const MALFORMED_URL_PAGE = html('A page: the URL has a malformed or NUL percent-escape');

/** The hosted consent page, QR codes, provider hooks and files: documented next to the JSON API. */
export function documentPublicRoutes(registry: Registry): void {
  registry.registerPath({
    method: 'get',
    path: '/o/{app}',
    operationId: 'getConsentPage',
    tags: ['Consent page'],
    summary: 'The hosted consent page (no JavaScript needed); counted as a page view',
    security: PUBLIC,
    request: { params: AppParam, query: PageQuery },
    responses: {
      200: html('The page, with an unticked consent box'),
      400: html('A page saying the link is broken (a bad via, c or lang)'),
      404: html('A friendly page: no such app'),
      503: html('The store cannot answer: try again', RETRY_AFTER),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/o/{app}',
    operationId: 'submitConsentPage',
    tags: ['Consent page'],
    summary: 'The consent page’s form: records the consent, then sends the person to WhatsApp',
    security: PUBLIC,
    request: {
      params: AppParam,
      body: { required: true, content: { 'application/x-www-form-urlencoded': { schema: ConsentForm } } },
    },
    responses: {
      303: {
        description: 'Recorded (fsynced): on to WhatsApp',
        headers: { Location: { description: 'The wa.me link the server built', schema: { type: 'string' } } },
      },
      400: html('A page saying the form was malformed'),
      404: html('No such app'),
      413: html('The form is larger than 16 KB'),
      415: html('Not a form (send application/x-www-form-urlencoded)'),
      422: html('The same page with the problem stated and the input kept; nothing recorded'),
      429: html('Too many consents from this address: try again shortly', RETRY_AFTER),
      503: html('Not recorded: the page again, input kept, saying to try again', RETRY_AFTER),
    },
  });
  const qr = (format: 'svg' | 'png') =>
    registry.registerPath({
      method: 'get',
      path: `/o/{app}/qr.${format}`,
      operationId: format === 'svg' ? 'getQrSvg' : 'getQrPng',
      tags: ['Consent page'],
      summary: `A QR code of the consent page (via=qr), as ${format.toUpperCase()}; cacheable, with an ETag`,
      security: PUBLIC,
      request: {
        params: AppParam,
        query: z.object({
          c: Campaign.optional(),
          download: z.string().optional().openapi({ description: 'Present: served as an attachment' }),
          ...(format === 'png'
            ? {
                size: z
                  .string()
                  .regex(/^\d{3,4}$/)
                  .optional()
                  .openapi({ description: 'Pixels, 128 to 2048 (default 512)' }),
              }
            : {}),
        }),
      },
      responses: {
        200: {
          description: 'The code',
          content: { [format === 'svg' ? 'image/svg+xml' : 'image/png']: { schema: z.string() } },
        },
        304: { description: 'Not modified (If-None-Match)' },
        ...errorResponses(404, 429, 503),
        400: {
          description: 'A bad campaign or size (JSON), or a malformed percent-escape in the URL (a page)',
          content: { 'application/json': { schema: ErrorSchema }, 'text/html': { schema: z.string() } },
        },
      },
    });
  qr('svg');
  qr('png');

  registry.registerPath({
    method: 'post',
    path: '/hooks/{app}/sms',
    operationId: 'receiveSms',
    tags: ['Provider hooks'],
    summary: 'An inbound SMS from Twilio: any SMS opts in (via sms); STOP-type keywords opt out; HELP gets help',
    description:
      'Authenticated by `X-Twilio-Signature` (HMAC-SHA1 of PUBLIC_URL + path + query and the sorted form fields, with the app’s Twilio auth token). A MessageSid already seen changes nothing.',
    security: PUBLIC,
    request: {
      params: AppParam,
      headers: z.object({ 'x-twilio-signature': z.string().optional() }),
      body: { required: true, content: { 'application/x-www-form-urlencoded': { schema: TwilioSms } } },
    },
    responses: {
      200: { description: 'TwiML: the confirmation or help reply', content: { 'text/xml': { schema: z.string() } } },
      ...hookErrors(400, 403, 404, 413, 415, 503),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/hooks/{app}/whatsapp',
    operationId: 'verifyWhatsAppHook',
    tags: ['Provider hooks'],
    summary: 'Meta’s webhook verification handshake',
    security: PUBLIC,
    request: {
      params: AppParam,
      query: z.object({
        'hub.mode': z.string().optional(),
        'hub.verify_token': z.string().optional(),
        'hub.challenge': z.string().max(512).optional(),
      }),
    },
    responses: {
      200: { description: 'The challenge, echoed', content: { 'text/plain': { schema: z.string() } } },
      ...hookErrors(400, 403, 404, 503),
    },
  });
  const whatsappBody = {
    required: true,
    content: {
      'application/json': {
        schema: z.record(z.string(), z.unknown()).openapi('WhatsAppInbound', {
          description:
            'A Meta Cloud API webhook (`object: whatsapp_business_account`, entries of changes) or a Gupshup v2 inbound message. Unknown shapes are answered 200 and ignored, so providers do not retry them.',
        }),
      },
    },
  };
  registry.registerPath({
    method: 'post',
    path: '/hooks/{app}/whatsapp',
    operationId: 'receiveWhatsApp',
    tags: ['Provider hooks'],
    summary: 'Inbound WhatsApp messages (Meta Cloud API or Gupshup v2): activity, verification, YES/STOP replies',
    description:
      'Meta’s are authenticated by `X-Hub-Signature-256` (HMAC-SHA256 of the body with the app secret), Gupshup’s by the app’s token in `Authorization` or `?token=`. The same message id twice changes nothing. A batch (any number of entries and changes, up to 3 MB) is read part by part: every readable message is handled; a 200 comes only when every one was recorded, otherwise the answer is an error and the provider retries (what was recorded counts as duplicates then).',
    security: PUBLIC,
    request: {
      params: AppParam,
      query: z.object({ token: z.string().optional() }),
      headers: z.object({ 'x-hub-signature-256': z.string().optional() }),
      body: whatsappBody,
    },
    responses: { 200: json(HookResult, 'Processed (or ignored)'), ...hookErrors(400, 403, 404, 413, 415, 503) },
  });
  registry.registerPath({
    method: 'post',
    path: '/hooks/sandbox/whatsapp',
    operationId: 'receiveSandboxWhatsApp',
    tags: ['Provider hooks'],
    summary: 'Inbound at the sandbox number: `PROXY <name>` starts that app’s sandbox (a sandbox-start user-event)',
    description:
      'Authenticated with SANDBOX_WEBHOOK_TOKEN (as a Meta signature secret or a shared token); 403 when unset.',
    security: PUBLIC,
    request: {
      query: z.object({ token: z.string().optional() }),
      headers: z.object({ 'x-hub-signature-256': z.string().optional() }),
      body: whatsappBody,
    },
    responses: {
      200: json(
        z
          .object({ ok: z.literal(true), started: z.number().int(), ignored: z.number().int() })
          .openapi('SandboxResult'),
        'Processed (or ignored)',
      ),
      ...hookErrors(400, 403, 413, 415, 503),
    },
  });

  const file = (path: string, operationId: string, summary: string) =>
    registry.registerPath({
      method: 'get',
      path,
      operationId,
      tags: ['Files'],
      summary,
      security: PUBLIC,
      ...(path.includes('{lang}')
        ? {
            request: {
              params: z.object({ lang: Lang.openapi({ param: { name: 'lang', in: 'path' } }) }),
            },
          }
        : {}),
      responses: {
        200: { description: 'The script', content: { 'text/javascript': { schema: z.string() } } },
        304: { description: 'Not modified (If-None-Match)' },
        400: MALFORMED_URL_PAGE,
        ...errorResponses(404),
      },
    });
  file('/widget.js', 'getWidgetScript', 'The widget’s loader: the floating button (readable from any origin)');
  file('/widget-panel.{lang}.js', 'getWidgetPanel', 'The widget’s consent panel in one language, loaded on demand');
  file('/widget-qr.js', 'getWidgetQrScript', 'The widget’s QR code module, loaded on desktop');
  registry.registerPath({
    method: 'get',
    path: '/healthz',
    operationId: 'health',
    tags: ['Files'],
    summary: 'The server is up and its store answers',
    security: PUBLIC,
    responses: {
      200: json(z.object({ ok: z.literal(true), store: z.enum(['sqlite', 'postgres']) }), 'Healthy'),
      400: MALFORMED_URL_PAGE,
      ...errorResponses(503),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApi',
    tags: ['Files'],
    summary: 'This document',
    security: PUBLIC,
    responses: {
      200: json(z.record(z.string(), z.unknown()), 'The OpenAPI 3.1 document'),
      ...errorResponses(400),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/',
    operationId: 'home',
    tags: ['Files'],
    summary: 'Where things are',
    security: PUBLIC,
    responses: {
      200: json(
        z.object({ name: z.string(), docs: z.string(), openapi: z.string(), consentPage: z.string() }),
        'Links',
      ),
      400: MALFORMED_URL_PAGE,
    },
  });
}

const Via = z.enum(VIAS as [string, ...string[]]);

/** A user-event as delivered (the contract's shape), and as `GET …/events` shows it. */
export const UserEventSchema = z
  .object({
    id: z.string().openapi({ description: 'The webhook-id, the same on every retry', example: 'evt_5f0c…' }),
    type: z.string().openapi({ description: 'opted-in, opted-out, verified, sandbox-start' }),
    app: z.string(),
    timestamp: z.string().openapi({ description: 'When the change happened (ISO 8601)' }),
    data: z.object({
      phone: z.string().openapi({ description: 'E.164 digits without +' }),
      via: Via.optional(),
      ref: z.string().optional(),
      campaign: z.string().optional(),
      optin: z
        .enum(['opted_in', 'opted_out', 'none'])
        .openapi({ description: 'The person’s state after this change: set yours from it' }),
      verified: z.boolean(),
      seq: z
        .number()
        .int()
        .openapi({ description: 'Grows with every event about this person: apply an event only if it is higher' }),
    }),
  })
  .openapi('UserEventPayload');

const GupshupUserEvent = z
  .object({
    app: z.string(),
    timestamp: z.number().int().openapi({ description: 'Milliseconds since 1970' }),
    version: z.literal(2),
    type: z.literal('user-event'),
    payload: z.object({
      phone: z.string(),
      type: z.enum(GUPSHUP_EVENT_TYPES).openapi({
        description:
          'Only the types Gupshup documents: verified and any other type go as the person’s status after it (opted-in or opted-out), or are not sent when it is none',
      }),
      seq: z.number().int(),
    }),
  })
  .openapi('GupshupUserEventPayload');

const EVENT_TYPES = {
  'opted-in': 'A person opted in (or a business opted them in)',
  'opted-out': 'A person opted out, by keyword, form or API',
  verified: 'A person’s own phone confirmed their consent',
  'sandbox-start': 'A tester sent PROXY <name> to the sandbox number',
} as const;

/** The user-events sent to an app's callbackUrl, as OpenAPI 3.1 `webhooks`. */
export function documentUserEvents(registry: Registry): void {
  for (const [type, summary] of Object.entries(EVENT_TYPES)) {
    registry.registerWebhook({
      method: 'post',
      path: type,
      operationId: `userEvent_${type.replace('-', '_')}`,
      tags: ['User-events'],
      summary,
      description:
        'POSTed to the app’s callbackUrl at least once (Standard Webhooks headers); not always in order: keep each person’s highest data.seq. With payloadFormat gupshup the body is the Gupshup v2 user-event instead.',
      security: PUBLIC,
      request: {
        headers: z.object({
          'webhook-id': z.string().openapi({ description: 'The same on every retry' }),
          'webhook-timestamp': z.string().openapi({ description: 'Seconds since 1970' }),
          'webhook-signature': z.string().openapi({
            description:
              '`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` with the app’s whsec_ secret; two, space-separated, during a rotation',
          }),
        }),
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z.union([UserEventSchema.extend({ type: z.literal(type) }), GupshupUserEvent]),
            },
          },
        },
      },
      responses: {
        200: { description: 'Any 2xx counts as delivered' },
        410: { description: 'Gone: no more events until callbackUrl is set again' },
        default: { description: 'Anything else (or no answer in 10 s) is retried: 5 s, 5 min, 30 min, 2 h … 24 h' },
      },
    });
  }
}
