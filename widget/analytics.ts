/** The analytics switches: the app's settings, overridden by the script tag's `data-` attributes. */
export interface Analytics {
  ga4: boolean;
  gtm: boolean;
  metaPixel: boolean;
}

/**
 * The switches in force: a `data-ga4`, `data-gtm` or `data-meta-pixel` on the script tag (present or
 * `"true"`: on; `"false"`: off) wins over the app's setting.
 */
export function switches(settings: Partial<Analytics>, data: DOMStringMap): Analytics {
  const on = (v: string | undefined, setting?: boolean) => (v === undefined ? !!setting : v !== 'false');
  return {
    ga4: on(data.ga4, settings.ga4),
    gtm: on(data.gtm, settings.gtm),
    metaPixel: on(data.metaPixel, settings.metaPixel),
  };
}

/**
 * Sends the widget's events (`optin-open`, `optin-consent`, `optin-redirect`) to the host page's own
 * tags, each only when switched on (all are off by default):
 * - GA4: `gtag('event', 'optin_open' | 'generate_lead' | 'optin_redirect', params)`, or, without
 *   `gtag`, the same as `{event, ...params}` pushed to `dataLayer`;
 * - GTM: `dataLayer.push({event: 'optin_open' | 'optin_consent' | 'optin_redirect', ...params})`;
 * - Meta Pixel: `fbq('trackCustom', 'OptinOpen')`, `fbq('track', 'Lead')`, `fbq('trackCustom', 'OptinRedirect')`.
 * `params` is `{method: 'whatsapp', optin_app, campaign}`, the element's campaign on every event. A
 * host page's broken tag throws nothing.
 *
 * @example
 * track({ ga4: false, gtm: true, metaPixel: false })
 */
export function track(a: Analytics): void {
  const w = window as unknown as {
    dataLayer?: object[];
    gtag?: (...a: unknown[]) => void;
    fbq?: (...a: unknown[]) => void;
  };
  for (const [type, name, fb] of [
    ['open', 'optin_open', 'OptinOpen'],
    ['consent', 'generate_lead', 'Lead'],
    ['redirect', 'optin_redirect', 'OptinRedirect'],
  ] as const)
    document.addEventListener(`optin-${type}`, (e) => {
      // Only the consent's detail names the campaign; the others take the element's own.
      const { app, campaign = (e.target as Element).getAttribute('campaign') || null } = (e as CustomEvent).detail;
      const params = { method: 'whatsapp', optin_app: app, campaign };
      try {
        if (a.ga4 && w.gtag) w.gtag('event', name, params);
        else if (a.ga4) (w.dataLayer ??= []).push({ event: name, ...params });
      } catch {
        // A host page's broken tags are not the person's problem.
      }
      try {
        if (a.gtm) (w.dataLayer ??= []).push({ event: `optin_${type}`, ...params });
      } catch {
        // Nor here.
      }
      try {
        if (a.metaPixel) w.fbq?.(type == 'consent' ? 'track' : 'trackCustom', fb, { content_name: app });
      } catch {
        // Nor here.
      }
    });
}
