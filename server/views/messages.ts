import type { Locale } from '../../core/locale.js';

/** Every string a person reads on the hosted pages, per locale. `{business}` is the display name. */
export interface PageMessages {
  title: string;
  heading: string;
  intro: string;
  phoneLabel: string;
  phoneHint: string;
  phoneOptional: string;
  consentLegend: string;
  submit: string;
  privacy: string;
  noPrivacy: string;
  errorSummary: string;
  errConsent: string;
  errPhone: string;
  errPhoneRequired: string;
  /** The number has no country code and the app sets no country: the page offers a country picker. */
  errCountry: string;
  /** The same for the widget, which has no picker. */
  errCountryWidget: string;
  countryLabel: string;
  countryChoose: string;
  sandboxNote: string;
  notFoundTitle: string;
  notFoundBody: string;
  badRequestTitle: string;
  badRequestBody: string;
  tooManyTitle: string;
  tooManyBody: string;
  /** A consent refused by a rate limit: `{seconds}` to wait; what was typed is kept. */
  errTooMany: string;
  /** The app asks for a proof of work and none came: JavaScript is off (or the page is not HTTPS). */
  challengeNoScript: string;
  /** A proof of work came but was refused (expired, used, wrong): try again. */
  errChallenge: string;
  /** Shown while the browser works on the check. */
  challengeWorking: string;
  /** The consent could not be recorded (the store is down): nothing happened, try again. */
  errUnavailable: string;
  /** The commit went unanswered: it may or may not have been recorded. */
  errUnconfirmed: string;
  unavailableTitle: string;
  unavailableBody: string;
  serverErrorTitle: string;
  serverErrorBody: string;
  poweredBy: string;
  /** On a live app: the prefilled message verifies the consent only once it is sent. */
  sendNote: string;
}

export const MESSAGES: Record<Locale, PageMessages> = {
  en: {
    title: 'Get {business} updates on WhatsApp',
    heading: 'Chat with {business} on WhatsApp',
    intro: 'Tick the box to agree, then continue to WhatsApp.',
    phoneLabel: 'Your WhatsApp number',
    phoneHint: 'With country code, for example +1 415 555 0123',
    phoneOptional: '(optional)',
    consentLegend: 'Your consent',
    submit: 'Continue to WhatsApp',
    privacy: 'Privacy policy',
    noPrivacy: '{business} has not linked a privacy policy here. Reply STOP on WhatsApp at any time to stop messages.',
    errorSummary: 'There is a problem',
    errConsent: 'Tick the box to agree to messages on WhatsApp',
    errPhone: 'Enter a valid WhatsApp number with its country code',
    errPhoneRequired: 'Enter your WhatsApp number',
    errCountry:
      'Your number has no country code: choose your country, or type the number starting with + and its country code',
    errCountryWidget: 'Type your number with + and its country code, for example +62 812 3456 7890.',
    countryLabel: 'Country of your number',
    countryChoose: 'Choose a country',
    sandboxNote: 'Test mode: WhatsApp will open a chat with the sandbox number, prefilled with “{proxy}”.',
    notFoundTitle: 'Page not found',
    notFoundBody: 'This opt-in link is not valid. Check the link or ask the business for a new one.',
    badRequestTitle: 'This link is not valid',
    badRequestBody: 'Part of the link is malformed. Check it, or ask the business for a new one.',
    tooManyTitle: 'Too many attempts',
    tooManyBody: 'Please wait a minute and try again.',
    challengeNoScript:
      '{business} asks your browser for a quick automatic check against robots before recording your consent. It needs JavaScript: turn it on for this page, then press the button. Nothing is recorded without it.',
    errChallenge:
      'The automatic check against robots did not complete, so nothing was recorded. Please press the button again.',
    challengeWorking: 'Checking your browser…',
    errTooMany:
      'Too many attempts just now, so your consent was not recorded yet. Please wait {seconds} seconds, then press the button again.',
    errUnavailable:
      'Your consent was not recorded: our service is not answering right now, and nothing was sent to WhatsApp. Please try again in a few seconds.',
    errUnconfirmed: 'We could not confirm that your consent was recorded. Please try again in a few seconds.',
    unavailableTitle: 'Temporarily unavailable',
    unavailableBody: 'This page cannot be shown right now. Please try again in a few seconds.',
    serverErrorTitle: 'Something went wrong',
    serverErrorBody: 'Your consent may not have been recorded. Please go back and try again.',
    poweredBy: 'Consent is recorded with the time and wording shown.',
    sendNote: 'WhatsApp opens with a message ready for you: press Send there to confirm your number.',
  },
  es: {
    title: 'Recibe novedades de {business} en WhatsApp',
    heading: 'Chatea con {business} en WhatsApp',
    intro: 'Marca la casilla para aceptar y continúa a WhatsApp.',
    phoneLabel: 'Tu número de WhatsApp',
    phoneHint: 'Con el código de país, por ejemplo +34 612 34 56 78',
    phoneOptional: '(opcional)',
    consentLegend: 'Tu consentimiento',
    submit: 'Continuar a WhatsApp',
    privacy: 'Política de privacidad',
    noPrivacy:
      '{business} no ha enlazado aquí una política de privacidad. Responde BAJA en WhatsApp cuando quieras para dejar de recibir mensajes.',
    errorSummary: 'Hay un problema',
    errConsent: 'Marca la casilla para aceptar mensajes en WhatsApp',
    errPhone: 'Introduce un número de WhatsApp válido con el código de país',
    errPhoneRequired: 'Introduce tu número de WhatsApp',
    errCountry:
      'Tu número no tiene código de país: elige tu país, o escribe el número empezando por + y el código de país',
    errCountryWidget: 'Escribe tu número con + y el código de país, por ejemplo +52 55 1234 5678.',
    countryLabel: 'País de tu número',
    countryChoose: 'Elige un país',
    sandboxNote: 'Modo de prueba: WhatsApp abrirá un chat con el número de pruebas, con el texto «{proxy}».',
    notFoundTitle: 'Página no encontrada',
    notFoundBody: 'Este enlace no es válido. Revísalo o pide uno nuevo a la empresa.',
    badRequestTitle: 'Este enlace no es válido',
    badRequestBody: 'Parte del enlace está mal formada. Revísalo o pide uno nuevo a la empresa.',
    tooManyTitle: 'Demasiados intentos',
    tooManyBody: 'Espera un minuto y vuelve a intentarlo.',
    challengeNoScript:
      '{business} pide a tu navegador una breve comprobación automática contra robots antes de registrar tu consentimiento. Necesita JavaScript: actívalo para esta página y pulsa el botón. Sin ella no se registra nada.',
    errChallenge:
      'La comprobación automática contra robots no terminó, así que no se registró nada. Vuelve a pulsar el botón.',
    challengeWorking: 'Comprobando tu navegador…',
    errTooMany:
      'Demasiados intentos ahora mismo, así que tu consentimiento aún no se registró. Espera {seconds} segundos y vuelve a pulsar el botón.',
    errUnavailable:
      'Tu consentimiento no se registró: nuestro servicio no responde en este momento y no se envió nada a WhatsApp. Vuelve a intentarlo en unos segundos.',
    errUnconfirmed:
      'No pudimos confirmar que tu consentimiento quedara registrado. Vuelve a intentarlo en unos segundos.',
    unavailableTitle: 'No disponible por el momento',
    unavailableBody: 'Esta página no se puede mostrar ahora. Vuelve a intentarlo en unos segundos.',
    serverErrorTitle: 'Algo salió mal',
    serverErrorBody: 'Es posible que tu consentimiento no se haya registrado. Vuelve atrás e inténtalo de nuevo.',
    poweredBy: 'El consentimiento se registra con la hora y el texto mostrado.',
    sendNote: 'WhatsApp se abrirá con un mensaje listo: pulsa Enviar allí para confirmar tu número.',
  },
  pt: {
    title: 'Receba novidades de {business} no WhatsApp',
    heading: 'Converse com {business} no WhatsApp',
    intro: 'Marque a caixa para concordar e continue para o WhatsApp.',
    phoneLabel: 'Seu número de WhatsApp',
    phoneHint: 'Com o código do país, por exemplo +55 11 91234 5678',
    phoneOptional: '(opcional)',
    consentLegend: 'Seu consentimento',
    submit: 'Continuar para o WhatsApp',
    privacy: 'Política de privacidade',
    noPrivacy:
      '{business} não indicou aqui uma política de privacidade. Responda SAIR no WhatsApp quando quiser para parar as mensagens.',
    errorSummary: 'Há um problema',
    errConsent: 'Marque a caixa para aceitar mensagens no WhatsApp',
    errPhone: 'Digite um número de WhatsApp válido com o código do país',
    errPhoneRequired: 'Digite seu número de WhatsApp',
    errCountry:
      'Seu número não tem código do país: escolha seu país, ou digite o número começando com + e o código do país',
    errCountryWidget: 'Digite seu número com + e o código do país, por exemplo +55 11 91234 5678.',
    countryLabel: 'País do seu número',
    countryChoose: 'Escolha um país',
    sandboxNote: 'Modo de teste: o WhatsApp abrirá uma conversa com o número de testes, com o texto “{proxy}”.',
    notFoundTitle: 'Página não encontrada',
    notFoundBody: 'Este link não é válido. Confira o link ou peça um novo à empresa.',
    badRequestTitle: 'Este link não é válido',
    badRequestBody: 'Parte do link está malformada. Confira ou peça um novo à empresa.',
    tooManyTitle: 'Muitas tentativas',
    tooManyBody: 'Aguarde um minuto e tente novamente.',
    challengeNoScript:
      '{business} pede ao seu navegador uma rápida verificação automática contra robôs antes de registrar seu consentimento. Ela precisa de JavaScript: ative-o nesta página e toque no botão. Sem ela nada é registrado.',
    errChallenge:
      'A verificação automática contra robôs não terminou, então nada foi registrado. Toque no botão de novo.',
    challengeWorking: 'Verificando seu navegador…',
    errTooMany:
      'Muitas tentativas agora, por isso seu consentimento ainda não foi registrado. Aguarde {seconds} segundos e toque no botão de novo.',
    errUnavailable:
      'Seu consentimento não foi registrado: nosso serviço não está respondendo agora e nada foi enviado ao WhatsApp. Tente novamente em alguns segundos.',
    errUnconfirmed:
      'Não conseguimos confirmar que seu consentimento foi registrado. Tente novamente em alguns segundos.',
    unavailableTitle: 'Indisponível no momento',
    unavailableBody: 'Esta página não pode ser exibida agora. Tente novamente em alguns segundos.',
    serverErrorTitle: 'Algo deu errado',
    serverErrorBody: 'Talvez seu consentimento não tenha sido registrado. Volte e tente novamente.',
    poweredBy: 'O consentimento é registrado com a hora e o texto exibido.',
    sendNote: 'O WhatsApp abrirá com uma mensagem pronta: toque em Enviar lá para confirmar seu número.',
  },
};

export function fill(template: string, vars: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
}
