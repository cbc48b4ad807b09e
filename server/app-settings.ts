import { z } from '@hono/zod-openapi';
import { LOCALES, type Locale } from '../core/locale.js';

/** An origin as a browser sends it: scheme, host and optional port, nothing else. */
export const OriginSchema = z
  .string()
  .max(200)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === v;
    } catch {
      return false;
    }
  }, 'must be an origin such as https://shop.example.com (no path, no trailing slash)');

export const HttpsUrlSchema = z
  .string()
  .max(2000)
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'https:' || u.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

const ThemeFields = {
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a hex colour such as #25D366'),
  position: z.enum(['right', 'left']),
};

export const ThemeSchema = z.object({
  color: ThemeFields.color.default('#25D366'),
  position: ThemeFields.position.default('right'),
});

const localeTexts = (max: number) =>
  z
    .object(
      Object.fromEntries(LOCALES.map((l) => [l, z.string().trim().min(1).max(max).optional()])) as Record<
        Locale,
        z.ZodOptional<z.ZodString>
      >,
    )
    .strict();

/** Texts per locale where an empty string means "none in this language" (so a PATCH can clear one). */
const clearableTexts = (max: number) =>
  z
    .object(
      Object.fromEntries(LOCALES.map((l) => [l, z.string().trim().max(max).optional()])) as Record<
        Locale,
        z.ZodOptional<z.ZodString>
      >,
    )
    .strict();

/**
 * A path pattern on which the widget hides: a path from `/`, where `*` matches any run of
 * characters (`/checkout*`, `/account/*`, `/*.pdf`). Matched against `location.pathname`, whole.
 */
export const PathPatternSchema = z
  .string()
  .max(200)
  .regex(/^\/[^\s?#]*$/, 'must be a path starting with / (use * as a wildcard), without ? or #');

/**
 * The widget's marketer settings (issue 13): each is also overridable by a `data-` attribute on the
 * script tag (docs/widget.md). Served to the widget by `GET /api/v1/apps/:app/public`.
 */
const WidgetFields = {
  /** A greeting or call-to-action bubble beside the floating button. No text: no bubble. */
  greeting: {
    /** The bubble's text per language; a language without text shows no bubble. */
    text: clearableTexts(200),
    /** Seconds after the page loads before the bubble appears; null: not on a delay. */
    delaySeconds: z.number().int().min(0).max(600).nullable(),
    /** Percent of the page scrolled before the bubble appears; null: not on scroll. */
    scrollPercent: z.number().int().min(1).max(100).nullable(),
    /** Once closed (or once the panel was opened), the bubble is not shown to that visitor again. */
    oncePerVisitor: z.boolean(),
  },
  /** Elements with class `optin-open` or attribute `data-optin-open` open the consent panel. */
  triggers: z.boolean(),
  /** Links on the page to the app's own `wa.me` / `api.whatsapp.com` number open the consent panel first. */
  interceptWaLinks: z.boolean(),
  /** Which devices see the floating button: `both`, `phones` or `desktops`. */
  devices: z.enum(['both', 'phones', 'desktops']),
  /** Paths on which the floating button and bubble are not shown. */
  hidePaths: z.array(PathPatternSchema).max(50),
  /** The floating button's visible label per language; none: a round icon button. */
  buttonLabel: clearableTexts(40),
  /** The floating button's distance in px from the side edge (`x`) and the bottom edge (`y`). */
  offset: { x: z.number().int().min(0).max(400), y: z.number().int().min(0).max(400) },
  /** Analytics events the widget sends to the host page's own tags: all off by default. */
  analytics: { ga4: z.boolean(), gtm: z.boolean(), metaPixel: z.boolean() },
};

export const WidgetSettingsSchema = z.object({
  greeting: z
    .object({
      text: WidgetFields.greeting.text.default({}),
      delaySeconds: WidgetFields.greeting.delaySeconds.default(null),
      scrollPercent: WidgetFields.greeting.scrollPercent.default(null),
      oncePerVisitor: WidgetFields.greeting.oncePerVisitor.default(true),
    })
    .default({ text: {}, delaySeconds: null, scrollPercent: null, oncePerVisitor: true }),
  triggers: WidgetFields.triggers.default(true),
  interceptWaLinks: WidgetFields.interceptWaLinks.default(true),
  devices: WidgetFields.devices.default('both'),
  hidePaths: WidgetFields.hidePaths.default([]),
  buttonLabel: WidgetFields.buttonLabel.default({}),
  offset: z
    .object({ x: WidgetFields.offset.x.default(20), y: WidgetFields.offset.y.default(20) })
    .default({ x: 20, y: 20 }),
  analytics: z
    .object({
      ga4: WidgetFields.analytics.ga4.default(false),
      gtm: WidgetFields.analytics.gtm.default(false),
      metaPixel: WidgetFields.analytics.metaPixel.default(false),
    })
    .default({ ga4: false, gtm: false, metaPixel: false }),
});
export type WidgetSettings = z.infer<typeof WidgetSettingsSchema>;

/** A change of the widget settings: every field optional, nested groups merged key by key. */
export const WidgetSettingsPatchSchema = z
  .object({
    greeting: z.object(WidgetFields.greeting).partial().strict(),
    triggers: WidgetFields.triggers,
    interceptWaLinks: WidgetFields.interceptWaLinks,
    devices: WidgetFields.devices,
    hidePaths: WidgetFields.hidePaths,
    buttonLabel: WidgetFields.buttonLabel,
    offset: z.object(WidgetFields.offset).partial().strict(),
    analytics: z.object(WidgetFields.analytics).partial().strict(),
  })
  .partial()
  .strict();
export type WidgetSettingsPatch = z.infer<typeof WidgetSettingsPatchSchema>;

/**
 * Every app setting that is not a column of its own, without defaults: the shape of a change.
 * Only what a request names is changed (zod would otherwise fill defaults into a partial object).
 */
const settingFields = {
  prefill: z.string().max(500),
  refEnabled: z.boolean(),
  phoneField: z.enum(['required', 'optional', 'none']),
  privacyUrl: HttpsUrlSchema.nullable(),
  allowedOrigins: z.array(OriginSchema).max(50),
  templateMessaging: z.boolean(),
  unverifiedCountsAsOptin: z.boolean(),
  callbackUrl: HttpsUrlSchema.nullable(),
  payloadFormat: z.enum(['standard', 'gupshup']),
  /** ISO 3166 country used to read numbers typed without a country code. */
  defaultCountry: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .nullable(),
};

export const AppSettingsPatchSchema = z
  .object({
    ...settingFields,
    theme: z.object(ThemeFields).partial().strict(),
    autoOptinMessage: z
      .object({ enabled: z.boolean(), text: localeTexts(1000) })
      .partial()
      .strict(),
    widget: WidgetSettingsPatchSchema,
  })
  .partial();
export type AppSettingsPatch = z.infer<typeof AppSettingsPatchSchema>;

/** Every app setting, with the defaults a new app gets. */
export const AppSettingsSchema = z.object({
  prefill: settingFields.prefill.default(''),
  refEnabled: settingFields.refEnabled.default(true),
  phoneField: settingFields.phoneField.default('required'),
  privacyUrl: settingFields.privacyUrl.default(null),
  theme: ThemeSchema.default({ color: '#25D366', position: 'right' }),
  allowedOrigins: settingFields.allowedOrigins.default([]),
  autoOptinMessage: z
    .object({ enabled: z.boolean().default(true), text: localeTexts(1000).default({}) })
    .default({ enabled: true, text: {} }),
  templateMessaging: settingFields.templateMessaging.default(false),
  unverifiedCountsAsOptin: settingFields.unverifiedCountsAsOptin.default(true),
  callbackUrl: settingFields.callbackUrl.default(null),
  payloadFormat: settingFields.payloadFormat.default('standard'),
  defaultCountry: settingFields.defaultCountry.default(null),
  widget: WidgetSettingsSchema.default(WidgetSettingsSchema.parse({})),
});
export type AppSettings = z.infer<typeof AppSettingsSchema>;

export function defaultSettings(): AppSettings {
  return AppSettingsSchema.parse({});
}

/**
 * Credentials an app holds in the clear because it must sign or verify with them. Set through the
 * API, never shown again: responses only say which are set.
 */
export const AppSecretsSchema = z.object({
  /** Signs user-events (Standard Webhooks). Generated when the app is created. */
  webhookSecret: z.string().min(24).max(200).optional(),
  /** The secret before the last rotation, still used to sign (as a second signature) until `until`. */
  previousWebhookSecret: z.object({ secret: z.string(), until: z.number() }).optional(),
  /** Which service sends the app's outbound WhatsApp messages. `log` stores and prints them. */
  sender: z.enum(['log', 'meta', 'gupshup']).default('log'),
  /** Twilio: the auth token that signs inbound SMS webhooks. */
  twilioAuthToken: z.string().min(8).max(200).optional(),
  /** Meta Cloud API: app secret (X-Hub-Signature-256), verify token (GET handshake), access token and phone number id (sending). */
  metaAppSecret: z.string().min(8).max(200).optional(),
  metaVerifyToken: z.string().min(8).max(200).optional(),
  metaAccessToken: z.string().min(8).max(1000).optional(),
  metaPhoneNumberId: z
    .string()
    .regex(/^\d{5,20}$/)
    .optional(),
  /** Gupshup: the token its inbound webhook carries, and the API key and source number for sending. */
  gupshupToken: z.string().min(8).max(200).optional(),
  gupshupApiKey: z.string().min(8).max(200).optional(),
  gupshupSource: z
    .string()
    .regex(/^\d{6,15}$/)
    .optional(),
});
export type AppSecrets = z.infer<typeof AppSecretsSchema>;

/** What `PATCH /api/v1/apps/:app` may set in `secrets`: `null` clears one. The webhook secret only rotates. */
export const AppSecretsPatchSchema = AppSecretsSchema.omit({ webhookSecret: true, previousWebhookSecret: true })
  .extend({
    twilioAuthToken: AppSecretsSchema.shape.twilioAuthToken.unwrap().nullable(),
    metaAppSecret: AppSecretsSchema.shape.metaAppSecret.unwrap().nullable(),
    metaVerifyToken: AppSecretsSchema.shape.metaVerifyToken.unwrap().nullable(),
    metaAccessToken: AppSecretsSchema.shape.metaAccessToken.unwrap().nullable(),
    metaPhoneNumberId: AppSecretsSchema.shape.metaPhoneNumberId.unwrap().nullable(),
    gupshupToken: AppSecretsSchema.shape.gupshupToken.unwrap().nullable(),
    gupshupApiKey: AppSecretsSchema.shape.gupshupApiKey.unwrap().nullable(),
    gupshupSource: AppSecretsSchema.shape.gupshupSource.unwrap().nullable(),
    sender: z.enum(['log', 'meta', 'gupshup']),
  })
  .partial()
  .strict();
export type AppSecretsPatch = z.infer<typeof AppSecretsPatchSchema>;
