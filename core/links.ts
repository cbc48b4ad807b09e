/**
 * The URL a printed QR code carries: the consent page, marked `via=qr`, with the campaign if any.
 *
 * @example
 * qrTarget('https://optin.example', 'Acme', 'spring') // 'https://optin.example/o/Acme?via=qr&c=spring'
 */
export function qrTarget(publicUrl: string, appName: string, campaign: string | null): string {
  return `${publicUrl}/o/${encodeURIComponent(appName)}?via=qr${campaign ? `&c=${encodeURIComponent(campaign)}` : ''}`;
}
