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
