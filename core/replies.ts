import type { Locale } from './locale.js';

/**
 * What the service says to a person in a message thread, per locale. `{business}` is the app's
 * display name. The SMS texts follow CTIA's rules: the opt-in confirmation names the program, says
 * that rates may apply and how to get help and opt out; every opt-out is acknowledged.
 */
export interface ReplyTexts {
  /** The automated first-message opt-in prompt on WhatsApp. */
  prompt: string;
  /** WhatsApp, after a YES-type reply. */
  waOptedIn: string;
  /** WhatsApp, after a STOP-type reply. */
  waOptedOut: string;
  waHelp: string;
  smsOptedIn: string;
  smsOptedOut: string;
  smsHelp: string;
}

export const REPLIES: Record<Locale, ReplyTexts> = {
  en: {
    prompt:
      'Hi! Would you like to get updates from {business} on WhatsApp? Reply YES to agree, or STOP to not get any.',
    waOptedIn: 'Thanks! You will get updates from {business} on WhatsApp. Reply STOP at any time to stop them.',
    waOptedOut: 'You will get no more messages from {business}. Reply START to get them again.',
    waHelp:
      '{business} sends updates on WhatsApp to people who agreed. Reply STOP to stop them, START to get them again.',
    smsOptedIn:
      '{business}: you are opted in to updates on WhatsApp. Msg & data rates may apply. Reply HELP for help, STOP to opt out.',
    smsOptedOut: '{business}: you are opted out and will get no more messages. Reply START to opt back in.',
    smsHelp:
      '{business}: updates on WhatsApp for people who opted in. Msg & data rates may apply. Reply STOP to opt out, START to opt back in.',
  },
  es: {
    prompt:
      '¡Hola! ¿Quieres recibir novedades de {business} por WhatsApp? Responde SÍ para aceptar o BAJA para no recibir ninguna.',
    waOptedIn:
      '¡Gracias! Recibirás novedades de {business} por WhatsApp. Responde BAJA cuando quieras dejar de recibirlas.',
    waOptedOut: 'No recibirás más mensajes de {business}. Responde ALTA para volver a recibirlos.',
    waHelp:
      '{business} envía novedades por WhatsApp a quienes aceptaron. Responde BAJA para dejar de recibirlas, ALTA para volver a recibirlas.',
    smsOptedIn:
      '{business}: aceptaste recibir novedades por WhatsApp. Pueden aplicarse tarifas de mensajes y datos. Responde AYUDA para ayuda, BAJA para darte de baja.',
    smsOptedOut: '{business}: te diste de baja y no recibirás más mensajes. Responde ALTA para volver a suscribirte.',
    smsHelp:
      '{business}: novedades por WhatsApp para quienes aceptaron. Pueden aplicarse tarifas de mensajes y datos. Responde BAJA para darte de baja, ALTA para volver.',
  },
  pt: {
    prompt:
      'Olá! Quer receber novidades de {business} pelo WhatsApp? Responda SIM para aceitar ou SAIR para não receber nenhuma.',
    waOptedIn:
      'Obrigado! Você receberá novidades de {business} pelo WhatsApp. Responda SAIR quando quiser parar de recebê-las.',
    waOptedOut: 'Você não receberá mais mensagens de {business}. Responda SIM para voltar a recebê-las.',
    waHelp:
      '{business} envia novidades pelo WhatsApp a quem aceitou. Responda SAIR para parar de recebê-las, SIM para voltar a recebê-las.',
    smsOptedIn:
      '{business}: você aceitou receber novidades pelo WhatsApp. Tarifas de mensagens e dados podem ser cobradas. Responda AJUDA para ajuda, SAIR para cancelar.',
    smsOptedOut: '{business}: você saiu e não receberá mais mensagens. Responda SIM para voltar.',
    smsHelp:
      '{business}: novidades pelo WhatsApp para quem aceitou. Tarifas de mensagens e dados podem ser cobradas. Responda SAIR para cancelar, SIM para voltar.',
  },
};

/**
 * A reply with the business's name filled in. `override` (the app's own prompt text, per locale)
 * wins when set.
 *
 * @example
 * replyText('es', 'smsOptedOut', 'Acme') // 'Acme: te diste de baja y no recibirás más mensajes. …'
 */
export function replyText(locale: Locale, key: keyof ReplyTexts, business: string, override?: string): string {
  return (override ?? REPLIES[locale][key]).replaceAll('{business}', business);
}
