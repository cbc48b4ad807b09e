import { createRoute, z } from '@hono/zod-openapi';
import { conversionOf, withRates } from '../../core/conversion.js';
import type { Deps } from '../deps.js';
import { ApiError } from '../errors.js';
import { appFor } from '../middleware/bearer-auth.js';
import { funnelStats } from '../store/funnel.js';
import { apiErrors, AppParam, BEARER, iso, json, openApiRouter } from './openapi.js';

const FunnelRowView = z.object({
  via: z.string(),
  campaign: z.string().openapi({
    description:
      'The campaign (`c=`), empty for none; `*` gathers the campaigns beyond the 100 most active (and beyond 100 a day)',
  }),
  views: z.number(),
  consents: z.number(),
  redirects: z.number(),
  verified: z.number(),
  optOuts: z.number(),
  marketingStops: z.number().openapi({ description: 'People who stopped marketing messages in WhatsApp' }),
  marketingResumes: z.number().openapi({ description: 'People who resumed marketing messages in WhatsApp' }),
  consentRate: z.number().nullable().openapi({
    description:
      'Consents via qr, url and widget ÷ views, as a fraction (0.25 is 25 %); in `totals`, the consents of those three mechanisms ÷ all views. Consents via first_message, sms and api follow no view and are never counted: such a row has null, and they do not add to the totals’ rate. null without views. It may pass 1: see the README’s Funnel section',
  }),
  verifiedRate: z.number().nullable().openapi({
    description:
      'Verified ÷ consents, both via qr, url and widget only, as a fraction; in `totals`, summed over those three mechanisms. SMS and first-message consents come from the phone itself and API consents are vouched for by the business, so they are never verified later: such a row has null, and they do not lower the totals’ rate. null without web consents',
  }),
});
const statsRoute = createRoute({
  method: 'get',
  path: '/api/v1/apps/{app}/stats',
  operationId: 'getStats',
  tags: ['Apps'],
  summary: 'The funnel by via and campaign, with consents per view and verified per consent',
  security: BEARER,
  request: {
    params: z.object({ app: AppParam.shape.app }),
    query: z.object({
      from: z.iso
        .datetime({ offset: true })
        .or(z.iso.date())
        .optional()
        .openapi({ description: 'Default: 30 days before `to`' }),
      to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional().openapi({ description: 'Default: now' }),
    }),
  },
  responses: {
    200: json(
      z
        .object({
          from: z.string(),
          to: z.string(),
          rows: z.array(FunnelRowView),
          totals: FunnelRowView.omit({ via: true, campaign: true }),
        })
        .openapi('Stats'),
      'The funnel',
    ),
    ...apiErrors('get'),
  },
});

/** `GET /api/v1/apps/:app/stats`: the funnel by via and campaign. */
export function statsRoutes(deps: Deps) {
  const api = openApiRouter();
  api.openapi(statsRoute, async (c) => {
    const app = await appFor(deps, c, c.req.valid('param').app);
    const q = c.req.valid('query');
    const to = q.to ? Date.parse(q.to) : deps.clock.now();
    const from = q.from ? Date.parse(q.from) : to - 30 * 86_400_000;
    if (!(from < to)) throw new ApiError(422, 'invalid_range', 'from must be before to.');
    if (to - from > 400 * 86_400_000) throw new ApiError(422, 'invalid_range', 'The range may be at most 400 days.');
    const rows = await deps.store.read(funnelStats, app.id, from, to);
    const totals = rows.reduce(
      (t, r) => ({
        views: t.views + r.views,
        consents: t.consents + r.consents,
        redirects: t.redirects + r.redirects,
        verified: t.verified + r.verified,
        optOuts: t.optOuts + r.optOuts,
        marketingStops: t.marketingStops + r.marketingStops,
        marketingResumes: t.marketingResumes + r.marketingResumes,
      }),
      { views: 0, consents: 0, redirects: 0, verified: 0, optOuts: 0, marketingStops: 0, marketingResumes: 0 },
    );
    // Only the consents that follow a view take part in the rates (core/conversion.ts).
    const { consentRate, verifiedRate } = conversionOf(rows);
    return c.json(
      { from: iso(from), to: iso(to), rows: rows.map(withRates), totals: { ...totals, consentRate, verifiedRate } },
      200,
    );
  });
  return api;
}
