import type { Lang } from './words.js';

/** The languages the widget speaks; the app's consent wording comes from the server in the same three. */
export type { Lang };
export { pickLang } from './words.js';

/** Interface strings. `{}` in a string is replaced by the business name. */
export interface Strings {
  /** Accessible name of the button. */
  open: string;
  /** Dialog heading, e.g. "Acme on WhatsApp". */
  title: string;
  close: string;
  phone: string;
  optional: string;
  privacy: string;
  submit: string;
  loading: string;
  retry: string;
  needConsent: string;
  needPhone: string;
  failed: string;
  unavailable: string;
  scan: string;
  desktop: string;
  /** A live app: the WhatsApp message carries the reference that verifies the consent. */
  send: string;
  /** This site may not post consents itself (not an allowed origin): the hosted page takes over. */
  hosted: string;
}

const en: Strings = {
  open: 'Chat on WhatsApp',
  title: '{} on WhatsApp',
  close: 'Close',
  phone: 'Your WhatsApp number, with country code',
  optional: '(optional)',
  privacy: 'Privacy policy',
  submit: 'Continue',
  loading: 'Loading…',
  retry: 'Try again',
  needConsent: 'Tick the box to agree first.',
  needPhone: 'Enter your WhatsApp number.',
  failed: 'Could not connect. Check your connection.',
  unavailable: 'Not available on this website.',
  scan: 'Scan with your phone to open WhatsApp.',
  desktop: 'Open WhatsApp on this computer',
  send: 'WhatsApp opens with a message ready: press Send to confirm.',
  hosted: 'Continue on the secure consent page (it opens in a new tab).',
};

const es: Strings = {
  open: 'Chatear por WhatsApp',
  title: '{} en WhatsApp',
  close: 'Cerrar',
  phone: 'Tu número de WhatsApp, con código de país',
  optional: '(opcional)',
  privacy: 'Política de privacidad',
  submit: 'Continuar',
  loading: 'Cargando…',
  retry: 'Reintentar',
  needConsent: 'Marca la casilla para aceptar.',
  needPhone: 'Escribe tu número de WhatsApp.',
  failed: 'No se pudo conectar. Revisa tu conexión.',
  unavailable: 'No disponible en este sitio web.',
  scan: 'Escanea con tu teléfono para abrir WhatsApp.',
  desktop: 'Abrir WhatsApp en este ordenador',
  send: 'WhatsApp se abre con un mensaje listo: pulsa Enviar para confirmar.',
  hosted: 'Continúa en la página segura de consentimiento (se abre en una pestaña nueva).',
};

const pt: Strings = {
  open: 'Conversar no WhatsApp',
  title: '{} no WhatsApp',
  close: 'Fechar',
  phone: 'Seu número de WhatsApp, com código do país',
  optional: '(opcional)',
  privacy: 'Política de privacidade',
  submit: 'Continuar',
  loading: 'Carregando…',
  retry: 'Tentar novamente',
  needConsent: 'Marque a caixa para concordar.',
  needPhone: 'Digite seu número de WhatsApp.',
  failed: 'Não foi possível conectar. Verifique sua conexão.',
  unavailable: 'Indisponível neste site.',
  scan: 'Escaneie com o celular para abrir o WhatsApp.',
  desktop: 'Abrir o WhatsApp neste computador',
  send: 'O WhatsApp abre com uma mensagem pronta: toque em Enviar para confirmar.',
  hosted: 'Continue na página segura de consentimento (abre em uma nova aba).',
};

/**
 * Set by the build (vite.config.ts) for a panel that speaks one language (`widget-panel.es.js`);
 * unset elsewhere, where the panel speaks all three.
 */
declare const __OPTIN_LANG__: string | undefined;
const only = typeof __OPTIN_LANG__ == 'string' ? __OPTIN_LANG__ : '';

/** The languages this build speaks: the minifier drops the others from a one-language panel. */
export const strings: Partial<Record<Lang, Strings>> = {
  ...(!only || only == 'en' ? { en } : {}),
  ...(!only || only == 'es' ? { es } : {}),
  ...(!only || only == 'pt' ? { pt } : {}),
};
