/**
 * Consent references: six characters from an alphabet without look-alikes (no 0/O, 1/I/L, U), so a
 * person can read one aloud. 30^6 ≈ 729 million values, drawn from a CSPRNG with rejection sampling,
 * so nobody can predict another person's reference; the store keeps them unique per app.
 */
export const REF_ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789';
export const REF_LENGTH = 6;
export const REF_PATTERN = /^[ABCDEFGHJKMNPQRSTVWXYZ2-9]{6}$/;

export type RandomBytes = (n: number) => Uint8Array;

/**
 * @example
 * newRef(crypto.getRandomValues.bind(crypto, new Uint8Array(16))) // 'K7Q2XD'
 */
export function newRef(randomBytes: RandomBytes): string {
  let out = '';
  // 256 - (256 % 30) = 240: bytes at or above it would bias the first characters.
  while (out.length < REF_LENGTH) {
    for (const b of randomBytes(16)) {
      if (b >= 240) continue;
      out += REF_ALPHABET[b % REF_ALPHABET.length];
      if (out.length === REF_LENGTH) break;
    }
  }
  return out;
}
