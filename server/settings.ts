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

export const ThemeSchema = z.object({
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a hex colour such as #25D366').default('#25D366'),
  position: z.enum(['right', 'left']).default('right'),
});

const localeTexts = (max: number) =>
  z.object(Object.fromEntries(LOCALES.map((l) => [l, z.string().trim().min(1).max(max).optional()])) as Record<Locale, z.ZodOptional<z.ZodString>>);

/** Every app setting that is not a column of its own. Defaults are what a new app gets. */
export const AppSettingsSchema = z.object({
  prefill: z.string().max(500).default(''),
  refEnabled: z.boolean().default(true),
  phoneField: z.enum(['required', 'optional', 'none']).default('required'),
  privacyUrl: HttpsUrlSchema.nullable().default(null),
  theme: ThemeSchema.default({ color: '#25D366', position: 'right' }),
  allowedOrigins: z.array(OriginSchema).max(50).default([]),
  autoOptinMessage: z
    .object({ enabled: z.boolean().default(true), text: localeTexts(1000).default({}) })
    .default({ enabled: true, text: {} }),
  templateMessaging: z.boolean().default(false),
  unverifiedCountsAsOptin: z.boolean().default(true),
  callbackUrl: HttpsUrlSchema.nullable().default(null),
  payloadFormat: z.enum(['standard', 'gupshup']).default('standard'),
  /** ISO 3166 country used to read numbers typed without a country code. */
  defaultCountry: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .nullable()
    .default(null),
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
  metaPhoneNumberId: z.string().regex(/^\d{5,20}$/).optional(),
  /** Gupshup: the token its inbound webhook carries, and the API key and source number for sending. */
  gupshupToken: z.string().min(8).max(200).optional(),
  gupshupApiKey: z.string().min(8).max(200).optional(),
  gupshupSource: z.string().regex(/^\d{6,15}$/).optional(),
});
export type AppSecrets = z.infer<typeof AppSecretsSchema>;
