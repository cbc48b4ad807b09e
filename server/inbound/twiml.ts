/**
 * Characters XML 1.0 does not allow anywhere, escaped or not (https://www.w3.org/TR/xml/#charsets):
 * C0 controls other than tab, LF and CR, lone surrogates, U+FFFE and U+FFFF. An XML parser refuses a
 * document that holds one, and Twilio would drop the reply.
 */
const XML_INVALID =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text as XML character data or an attribute value: XML-invalid characters removed, markup escaped.
 *
 * @example
 * xmlText('A&B\u0007 <Shoes>') // 'A&amp;B &lt;Shoes&gt;'
 */
export const xmlText = (s: string): string =>
  s
    .replace(XML_INVALID, '')
    .replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch]!);

/**
 * A TwiML answer to an inbound SMS: one SMS back, or nothing (`<Response/>`). Always well-formed XML.
 *
 * @example
 * twiml('Acme: you are opted in.') // '<?xml …?><Response><Message>Acme: you are opted in.</Message></Response>'
 */
export function twiml(text: string | null): string {
  const head = '<?xml version="1.0" encoding="UTF-8"?>';
  return text === null ? `${head}<Response/>` : `${head}<Response><Message>${xmlText(text)}</Message></Response>`;
}
