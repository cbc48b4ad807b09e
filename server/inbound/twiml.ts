const xmlEscape = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch]!);

/**
 * A TwiML answer to an inbound SMS: one SMS back, or nothing (`<Response/>`).
 *
 * @example
 * twiml('Acme: you are opted in.') // '<?xml …?><Response><Message>Acme: you are opted in.</Message></Response>'
 */
export function twiml(text: string | null): string {
  const head = '<?xml version="1.0" encoding="UTF-8"?>';
  return text === null ? `${head}<Response/>` : `${head}<Response><Message>${xmlEscape(text)}</Message></Response>`;
}
