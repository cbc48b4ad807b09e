import { maskPhone } from '../../../core/phone.js';
import type { Sender } from './types.js';

/**
 * The development sender: nothing leaves the machine. The message is printed (the number masked) and,
 * like every delivered message, kept in the user's history by {@link deliverMessage}.
 */
export function logSender(print: (line: string) => void = console.log): Sender {
  return {
    name: 'log',
    async send(app, msg) {
      print(`[whatsapp → ${maskPhone(msg.to)} from ${app.name}] ${msg.text}`);
      return { ok: true, retry: false, providerId: `log_${msg.id}` };
    },
  };
}
