/**
 * App names are Gupshup-style: a letter, then 2 to 39 letters, digits or underscores.
 * They appear in URLs (`/o/<name>`) and in the sandbox prefill (`PROXY <name>`), and are
 * unique without regard to case.
 *
 * @example
 * isValidAppName('Acme') // true
 * isValidAppName('1acme') // false
 */
export const APP_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{2,39}$/;

export function isValidAppName(name: string): boolean {
  return APP_NAME_PATTERN.test(name);
}

/** The key under which names are unique: case is ignored. */
export function appNameKey(name: string): string {
  return name.toLowerCase();
}

/** Campaign tags travel in `?c=` and in QR codes, so they are kept URL-safe. */
export const CAMPAIGN_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function isValidCampaign(c: string): boolean {
  return CAMPAIGN_PATTERN.test(c);
}
