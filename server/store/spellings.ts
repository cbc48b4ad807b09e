import { spellingsOf } from '../../core/phone-aliases.js';
import type { Param } from './driver.js';

/**
 * `phone IN (…)` over every spelling of a person's number (core/phone-aliases.ts): records keep the
 * spelling they were written with (the WhatsApp ID that sent a message, the number someone typed),
 * and all of them are that one person's.
 *
 * @example
 * const s = bySpellings('525512345678') // { sql: 'phone IN (?, ?)', params: ['525512345678', '5215512345678'] }
 */
export function bySpellings(phone: string, column = 'phone'): { sql: string; params: Param[] } {
  const params = spellingsOf(phone);
  return { sql: `${column} IN (${params.map(() => '?').join(', ')})`, params };
}
