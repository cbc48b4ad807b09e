import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { log } from '../log.js';
import { Keyring, newKey, parseKey } from './secret-box.js';

/** Where the operator's secrets key comes from (config.ts reads SECRETS_KEY, SECRETS_OLD_KEYS, SECRETS_KEY_FILE). */
export interface SecretsKeyConfig {
  /** The current key (64 hex digits or base64); it seals. */
  key: string | null;
  /** Earlier keys, which still open what they sealed until `optin-kit secrets rotate`. */
  oldKeys: string[];
  /** A file holding the current key; without `key` or this, the default file below. */
  keyFile: string | null;
}

/**
 * The key file used when no key is configured: `secrets.key` beside the SQLite file, or
 * `./data/secrets.key` for PostgreSQL (every server of a PostgreSQL store must then have the same
 * file, or better the same SECRETS_KEY). Null for an in-memory database.
 */
export function defaultKeyFile(sqliteFile: string | null): string | null {
  if (sqliteFile === ':memory:') return null;
  return sqliteFile ? join(dirname(sqliteFile), 'secrets.key') : resolve('data', 'secrets.key');
}

/**
 * Reads a key file, or makes it: a new random key, written 0600 in a folder made 0700, published
 * with link() so that several processes starting at once all end up with the one that won.
 */
export function readOrCreateKeyFile(file: string): { key: Buffer; created: boolean } {
  try {
    return { key: parseKey(readFileSync(file, 'utf8')), created: false };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${file}: ${(e as Error).message}`);
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, newKey() + '\n');
  } finally {
    closeSync(fd);
  }
  let created = true;
  try {
    linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    created = false; // another process made it first: use theirs
  } finally {
    rmSync(tmp, { force: true });
  }
  return { key: parseKey(readFileSync(file, 'utf8')), created };
}

/**
 * The keyring of a store: SECRETS_KEY if set, else the key file (made on first use, and said so on
 * standard error). An in-memory database gets a key of its own that dies with it.
 */
export function loadKeyring(c: SecretsKeyConfig, sqliteFile: string | null): Keyring {
  const old = c.oldKeys.map(parseKey);
  if (c.key) return new Keyring(parseKey(c.key), old);
  const file = c.keyFile ?? defaultKeyFile(sqliteFile);
  if (!file) return new Keyring(randomBytes(32), old);
  const { key, created } = readOrCreateKeyFile(file);
  if (created)
    log.warn(
      'secrets: made a new secrets key file (mode 0600); provider credentials and webhook secrets are encrypted under it. Back it up apart from the database, or set SECRETS_KEY (README: Secrets at rest)',
      file,
    );
  return new Keyring(key, old);
}

export const NO_SECRETS_CONFIG: SecretsKeyConfig = { key: null, oldKeys: [], keyFile: null };
