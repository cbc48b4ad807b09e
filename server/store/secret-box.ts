import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Secrets at rest: AES-256-GCM (node:crypto) under the operator's key. A sealed value names the key
 * it was sealed with, so that keys can rotate: the current key seals, older keys still open what
 * they sealed until `optin-kit secrets rotate` has sealed everything again under the current one.
 *
 * Format: `okk-enc:v1:<key id>:<iv>:<ciphertext>:<tag>` (base64url), the key id being the first
 * 8 bytes of SHA-256("optin-kit key id" + key) in hex: it names a key without revealing it. The
 * additional authenticated data binds a value to where it belongs (an app's id), so a sealed value
 * copied onto another row does not open.
 */
const PREFIX = 'okk-enc:v1:';

/** A key from the environment or a key file: 64 hex digits or the base64 of 32 bytes. */
export function parseKey(text: string): Buffer {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(t)) return Buffer.from(t, 'base64');
  throw new Error(
    'a secrets key must be 32 bytes, written as 64 hex digits or in base64 (optin-kit secrets new-key makes one)',
  );
}

/** A new random key, in base64. */
export function newKey(): string {
  return randomBytes(32).toString('base64');
}

export function keyId(key: Buffer): string {
  return createHash('sha256').update('optin-kit key id').update(key).digest('hex').slice(0, 16);
}

/** A value sealed under a key this process does not have. */
export class SecretsKeyMissing extends Error {
  constructor(readonly keyId: string) {
    super(
      `stored secrets are encrypted under key ${keyId}, which is not configured: set SECRETS_KEY to it (or add it to SECRETS_OLD_KEYS), or restore the key file it came from`,
    );
    this.name = 'SecretsKeyMissing';
  }
}

export class Keyring {
  private readonly keys = new Map<string, Buffer>();
  readonly currentId: string;

  /** `current` seals; `older` keys only open. */
  constructor(
    private readonly current: Buffer,
    older: Buffer[] = [],
  ) {
    this.currentId = keyId(current);
    for (const k of [current, ...older]) this.keys.set(keyId(k), k);
  }

  has(id: string): boolean {
    return this.keys.has(id);
  }

  seal(plaintext: string, aad: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.current, iv);
    c.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
    const tag = c.getAuthTag();
    return `${PREFIX}${this.currentId}:${iv.toString('base64url')}:${ct.toString('base64url')}:${tag.toString('base64url')}`;
  }

  /** Opens a sealed value; throws {@link SecretsKeyMissing} for an unknown key, and on any tampering. */
  open(sealed: string, aad: string): string {
    const [id, iv, ct, tag] = sealed.slice(PREFIX.length).split(':');
    const key = id ? this.keys.get(id) : undefined;
    if (!key) throw new SecretsKeyMissing(id ?? '?');
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv ?? '', 'base64url'));
    d.setAAD(Buffer.from(aad, 'utf8'));
    d.setAuthTag(Buffer.from(tag ?? '', 'base64url'));
    return Buffer.concat([d.update(Buffer.from(ct ?? '', 'base64url')), d.final()]).toString('utf8');
  }
}

export function isSealed(v: string): boolean {
  return v.startsWith(PREFIX);
}

/** The key id a sealed value names, or null for a value in the clear. */
export function sealedKeyId(v: string): string | null {
  return isSealed(v) ? (v.slice(PREFIX.length).split(':')[0] ?? null) : null;
}
