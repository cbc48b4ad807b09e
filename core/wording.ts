import { createHash } from 'node:crypto';
import type { Locale } from './locale.js';

/**
 * Consent wording. Each app keeps a template per locale, versioned: a change makes a new version and
 * old versions stay, because consent records point at them. `{business}` is replaced by the app's
 * display name when shown, and the SHA-256 of that exact shown text goes into the consent record.
 */
export const DEFAULT_WORDING: Record<Locale, string> = {
  en: 'I agree to receive messages from {business} on WhatsApp, such as updates and offers. I can opt out at any time by replying STOP.',
  es: 'Acepto recibir mensajes de {business} en WhatsApp, como novedades y ofertas. Puedo darme de baja en cualquier momento respondiendo BAJA.',
  pt: 'Concordo em receber mensagens de {business} no WhatsApp, como novidades e ofertas. Posso cancelar a qualquer momento respondendo SAIR.',
};

export const MAX_WORDING_LENGTH = 1000;

/** The text a person actually sees. */
export function renderWording(template: string, businessName: string): string {
  return template.split('{business}').join(businessName);
}

/** Hex SHA-256 of the exact UTF-8 text shown, normalised to NFC so that the same words hash alike. */
export function wordingHash(shownText: string): string {
  return createHash('sha256').update(shownText.normalize('NFC'), 'utf8').digest('hex');
}

/**
 * The law most businesses live under asks that consent names the business and the channel.
 * A wording that does neither is refused when it is set.
 */
export function checkWording(template: string, locale: Locale): string | null {
  const t = template.trim();
  // Characters as a person counts them (an emoji is one), as the OpenAPI document's maxLength does.
  const n = [...t].length;
  if (n < 10 || n > MAX_WORDING_LENGTH) return `must be 10 to ${MAX_WORDING_LENGTH} characters`;
  if (!t.includes('{business}')) return 'must name the business with {business}';
  if (!/whatsapp/i.test(t)) return locale === 'en' ? 'must say "on WhatsApp"' : 'must mention WhatsApp';
  return null;
}
