import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `okk_<id>_<secret>`. Only the SHA-256 of the whole key is stored (keys are
 * random and long, so a slow hash would add nothing). Lookup is by the public id, then the hashes are
 * compared in constant time.
 */
export function newApiKey(): { key: string; id: string; hash: string; prefix: string } {
  const id = randomBytes(9).toString('base64url'); // 12 characters
  const secret = randomBytes(24).toString('base64url'); // 32 characters
  const key = `okk_${id}_${secret}`;
  return { key, id, hash: sha256(key), prefix: `okk_${id}` };
}

export function parseApiKey(key: string): { id: string } | null {
  const m = /^okk_([A-Za-z0-9_-]{12})_([A-Za-z0-9_-]{32})$/.exec(key);
  return m ? { id: m[1]! } : null;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Compares two secrets in constant time, whatever their lengths. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/** A Standard Webhooks signing secret: `whsec_` and 24 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}
