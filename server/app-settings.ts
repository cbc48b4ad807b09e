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
