import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { isSealed, keyId, Keyring, newKey, parseKey, sealedKeyId, SecretsKeyMissing } from './secret-box.js';

describe('secret box (AES-256-GCM)', () => {
  const a = randomBytes(32);
  const b = randomBytes(32);

  it('Should seal so that the text is not there, and open it again', () => {
    const kr = new Keyring(a);
    const sealed = kr.seal('{"twilioAuthToken":"tw-SENTINEL"}', 'apps.secrets:1');
    assert.ok(isSealed(sealed));
    assert.equal(sealedKeyId(sealed), keyId(a));
    assert.doesNotMatch(sealed, /SENTINEL/);
    assert.notEqual(kr.seal('x', 'apps.secrets:1'), kr.seal('x', 'apps.secrets:1'), 'a fresh IV each time');
    assert.equal(kr.open(sealed, 'apps.secrets:1'), '{"twilioAuthToken":"tw-SENTINEL"}');
  });

  it('Should refuse a value moved to another app, or changed', () => {
    const kr = new Keyring(a);
    const sealed = kr.seal('secret', 'apps.secrets:1');
    assert.throws(() => kr.open(sealed, 'apps.secrets:2'));
    const parts = sealed.split(':');
    const ct = Buffer.from(parts[4]!, 'base64url');
    ct[0]! ^= 1;
    parts[4] = ct.toString('base64url');
    assert.throws(() => kr.open(parts.join(':'), 'apps.secrets:1'));
  });

  it('Should open with an older key and name a key it does not have', () => {
    const old = new Keyring(a).seal('secret', 'x');
    assert.equal(new Keyring(b, [a]).open(old, 'x'), 'secret');
    assert.throws(
      () => new Keyring(b).open(old, 'x'),
      (e: unknown) => e instanceof SecretsKeyMissing && e.keyId === keyId(a) && /SECRETS_KEY/.test(e.message),
    );
  });

  it('Should read keys as hex or base64, and nothing else', () => {
    assert.deepEqual(parseKey(a.toString('hex')), a);
    assert.deepEqual(parseKey(a.toString('base64')), a);
    assert.equal(parseKey(newKey()).length, 32);
    for (const bad of ['', 'short', a.toString('hex').slice(2), randomBytes(16).toString('base64')])
      assert.throws(() => parseKey(bad), /32 bytes/);
  });
});
