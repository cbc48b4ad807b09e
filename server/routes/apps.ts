import { createRoute, z } from '@hono/zod-openapi';
import { LOCALES, type Locale } from '../../core/locale.js';
import { renderWording } from '../../core/wording.js';
import {
  AppSecretsPatchSchema,
  AppSettingsPatchSchema,
  AppSettingsSchema,
  chars,
  PHONE_DOC,
  VISIBLE_TEXT_PATTERN,
  WORDING_PATTERN,
} from '../app-settings.js';
import { APP_NAME_PATTERN } from '../../core/app-name.js';
import type { Config } from '../config.js';
import { callbackUrlProblem } from '../delivery/safe-http.js';
import type { Deps } from '../deps.js';
import { ApiError } from '../errors.js';
import { appFor, requireAdmin } from '../middleware/bearer-auth.js';
import { createApp, updateApp } from '../services/apps.js';
import type { AppRecord } from '../store/index.js';
import { apiErrors, AppParam, BEARER, ErrorSchema, openApiRouter } from './openapi.js';

const WordingInput = z
  .object(
    Object.fromEntries(
      LOCALES.map((l) => [
        l,
        chars(1000)
          .openapi({
            pattern: WORDING_PATTERN,
            minLength: 10,
            description:
              'Names the business with {business} and mentions WhatsApp; 10 to 1,000 characters once trimmed. Otherwise 422 invalid_wording.',
          })
          .optional(),
      ]),
    ) as Record<Locale, z.ZodOptional<z.ZodString>>,
  )
  .strict()
  .openapi('WordingInput', {
    description:
      'Consent wording templates per locale. `{business}` becomes the display name. A change makes a new version.',
  });

const SettingsInput = AppSettingsPatchSchema;

/**
 * An app goes live only with a phone number (422 phone_required): a request that sets `live: true`
 * names the phone, and one that clears the phone sets `live: false`.
 */
const LIVE_NEEDS_PHONE = [
  {
    if: { properties: { live: { const: true } }, required: ['live'] },
    then: { properties: { phone: { type: 'string' } }, required: ['phone'] },
  },
  {
    if: { properties: { phone: { type: 'null' } }, required: ['phone'] },
    then: { properties: { live: { const: false } }, required: ['live'] },
  },
];

const AppCreate = z
  .object({
    name: z.string().openapi({
      example: 'Acme',
      pattern: APP_NAME_PATTERN.source,
      description: 'Letters, digits, _; 3 to 40; starts with a letter; unique ignoring case (409 name_taken).',
    }),
    // Checked by the service (422 invalid_display_name), described here.
    displayName: z.string().openapi({
      example: 'Acme Shoes',
      minLength: 1,
      maxLength: 60,
      pattern: VISIBLE_TEXT_PATTERN,
      description:
        'The business name people see: 1 to 60 characters once trimmed, well-formed Unicode, no control or bidi-override characters.',
    }),
    phone: z.string().nullable().optional().openapi(PHONE_DOC),
    live: z.boolean().optional(),
    wording: WordingInput.optional(),
    secrets: AppSecretsPatchSchema.optional().openapi({
      description:
        'Provider credentials and the outbound sender. Write-only: responses say only which are set. null clears one.',
    }),
  })
  .extend(SettingsInput.shape)
  .strict()
  .openapi('AppCreate', { allOf: LIVE_NEEDS_PHONE } as never);

const AppPatch = AppCreate.omit({ name: true })
  .partial()
  .strict()
  .openapi('AppPatch', { allOf: LIVE_NEEDS_PHONE } as never);

const WordingView = z.object({ version: z.number().int(), template: z.string(), text: z.string() });

export const AppView = z
  .object({
    name: z.string(),
    displayName: z.string(),
    phone: z.string().nullable(),
    live: z.boolean(),
    wording: z.record(z.string(), WordingView),
    links: z.object({
      consentPage: z.string(),
      qrSvg: z.string(),
      qrPng: z.string(),
      widgetSnippet: z.string(),
      sandboxText: z.string().nullable(),
      smsWebhook: z.string(),
      whatsappWebhook: z.string(),
    }),
    sender: z.enum(['log', 'meta', 'gupshup']),
    secretsSet: z
      .record(z.string(), z.boolean())
      .openapi({ description: 'Which credentials are set (their values are never shown).' }),
    callbackDisabled: z
      .boolean()
      .openapi({ description: 'The callback URL answered 410 Gone; setting callbackUrl again resumes events.' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .extend(AppSettingsSchema.shape)
  .openapi('App');

type AppViewT = z.infer<typeof AppView>;

const SECRET_NAMES = [
  'webhookSecret',
  'twilioAuthToken',
  'metaAppSecret',
  'metaVerifyToken',
  'metaAccessToken',
  'metaPhoneNumberId',
  'gupshupToken',
  'gupshupApiKey',
  'gupshupSource',
] as const;

export async function appView(deps: Pick<Deps, 'apps' | 'config'>, app: AppRecord): Promise<AppViewT> {
  const w = await deps.apps.wordings(app.id);
  const base = deps.config.publicUrl;
  return {
    name: app.name,
    displayName: app.displayName,
    phone: app.phone,
    live: app.live,
    ...app.settings,
    wording: Object.fromEntries(
      LOCALES.map((l) => [
        l,
        { version: w[l]!.version, template: w[l]!.template, text: renderWording(w[l]!.template, app.displayName) },
      ]),
    ),
    links: {
      consentPage: `${base}/o/${app.name}`,
      qrSvg: `${base}/o/${app.name}/qr.svg`,
      qrPng: `${base}/o/${app.name}/qr.png?size=1024`,
      widgetSnippet: `<script src="${base}/widget.js" data-app="${app.name}" async></script>`,
      sandboxText: app.live ? null : `PROXY ${app.name}`,
      smsWebhook: `${base}/hooks/${app.name}/sms`,
      whatsappWebhook: `${base}/hooks/${app.name}/whatsapp`,
    },
    sender: app.secrets.sender,
    secretsSet: Object.fromEntries(SECRET_NAMES.map((k) => [k, app.secrets[k] !== undefined])),
    callbackDisabled: app.callbackDisabledAt !== null,
    createdAt: new Date(app.createdAt).toISOString(),
    updatedAt: new Date(app.updatedAt).toISOString(),
  };
}

const createAppRoute = createRoute({
  method: 'post',
  path: '/api/v1/apps',
  operationId: 'createApp',
  tags: ['Apps'],
  summary: 'Create an app (operator only). The API key is in the answer, once.',
  security: BEARER,
  request: { body: { required: true, content: { 'application/json': { schema: AppCreate } } } },
  responses: {
    201: {
      description: 'Created. The API key and the webhook signing secret are shown here once.',
      content: {
        'application/json': { schema: z.object({ app: AppView, apiKey: z.string(), webhookSecret: z.string() }) },
      },
    },
    ...apiErrors('post'),
    409: { description: 'Name taken', content: { 'application/json': { schema: ErrorSchema } } },
  },
});

const getAppRoute = createRoute({
  method: 'get',
  path: '/api/v1/apps/{app}',
  operationId: 'getApp',
  tags: ['Apps'],
  summary: 'An app’s settings',
  security: BEARER,
  request: { params: AppParam },
  responses: {
    200: { description: 'The app', content: { 'application/json': { schema: AppView } } },
    ...apiErrors('get'),
  },
});

const patchAppRoute = createRoute({
  method: 'patch',
  path: '/api/v1/apps/{app}',
  operationId: 'updateApp',
  tags: ['Apps'],
  summary: 'Change an app’s settings',
  security: BEARER,
  request: { params: AppParam, body: { required: true, content: { 'application/json': { schema: AppPatch } } } },
  responses: {
    200: { description: 'The app, changed', content: { 'application/json': { schema: AppView } } },
    ...apiErrors('patch'),
  },
});

function splitInput(body: z.infer<typeof AppPatch>) {
  const { displayName, phone, live, wording, secrets, ...settings } = body;
  return { displayName, phone, live, wording, secrets, settings };
}

/**
 * A callback URL that delivery would refuse (a literal private or loopback IP, `localhost`) is
 * refused when it is saved, unless the operator allows private callbacks. No DNS lookup here.
 */
function checkCallbackUrl(config: Config, url: string | null | undefined): void {
  if (!url || config.allowPrivateCallbacks) return;
  const problem = callbackUrlProblem(url);
  if (problem)
    throw new ApiError(
      422,
      'invalid_callback_url',
      `callbackUrl: ${problem}; events can only be delivered to a public address.`,
    );
}

/** The business API's app settings: `POST /api/v1/apps`, `GET`/`PATCH /api/v1/apps/:app`. */
export function appRoutes(deps: Deps) {
  const api = openApiRouter();

  api.openapi(createAppRoute, async (c) => {
    requireAdmin(c);
    const b = c.req.valid('json');
    const { displayName, phone, live, wording, secrets, settings } = splitInput(b);
    checkCallbackUrl(deps.config, settings.callbackUrl);
    const now = deps.clock.now();
    const created = await createApp(
      deps.store,
      { name: b.name, displayName: displayName ?? '', phone, live, wording, settings },
      now,
    );
    const apiKey = created.apiKey;
    const app = secrets ? await updateApp(deps.store, created.app, { secrets }, now) : created.app;
    return c.json({ app: await appView(deps, app), apiKey, webhookSecret: app.secrets.webhookSecret! }, 201);
  });

  api.openapi(getAppRoute, async (c) => {
    const app = await appFor(deps, c, c.req.valid('param').app);
    return c.json(await appView(deps, app), 200);
  });

  api.openapi(patchAppRoute, async (c) => {
    const app = await appFor(deps, c, c.req.valid('param').app);
    const input = splitInput(c.req.valid('json'));
    checkCallbackUrl(deps.config, input.settings.callbackUrl);
    const changed = await updateApp(deps.store, app, input, deps.clock.now());
    return c.json(await appView(deps, changed), 200);
  });

  return api;
}
