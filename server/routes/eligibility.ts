import { createRoute, z } from '@hono/zod-openapi';
import { eligibility, ELIGIBILITY_REASONS, type EligibilityReason } from '../../core/eligibility.js';
import { effectiveOptin } from '../../core/verified-optin.js';
import type { Deps } from '../deps.js';
import { appFor } from '../middleware/bearer-auth.js';
import { phoneParam } from '../services/phone-param.js';
import { getUser } from '../store/users.js';
import { apiErrors, AppParam, BEARER, json, openApiRouter } from './openapi.js';

const eligibilityRoute = createRoute({
  method: 'post',
  path: '/api/v1/apps/{app}/eligibility',
  operationId: 'checkEligibility',
  tags: ['Users'],
  summary: 'May this message be delivered, and how?',
  security: BEARER,
  request: {
    params: z.object({ app: AppParam.shape.app }),
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({
              phone: z.string().max(64),
              kind: z.enum(['text', 'template']),
              matchesTemplate: z.boolean().default(false),
              category: z.enum(['marketing', 'utility', 'authentication']).optional().openapi({
                description:
                  'The template category. A person who stopped marketing messages is blocked (marketing_stopped) for marketing, and for a message without a category (the strictest reading).',
              }),
            })
            .strict()
            .openapi('EligibilityRequest'),
        },
      },
    },
  },
  responses: {
    200: json(
      z
        .object({
          deliver: z.enum(['session', 'template', 'blocked']),
          reason: z.enum(ELIGIBILITY_REASONS as [EligibilityReason, ...EligibilityReason[]]),
        })
        .openapi('Eligibility'),
      'The decision',
    ),
    ...apiErrors('post'),
  },
});

/** `POST /api/v1/apps/:app/eligibility`: may this message be delivered, and how (core/eligibility.ts). */
export function eligibilityRoutes(deps: Deps) {
  const api = openApiRouter();
  api.openapi(eligibilityRoute, async (c) => {
    const app = await appFor(deps, c, c.req.valid('param').app);
    const b = c.req.valid('json');
    const phone = await phoneParam(deps, app, b.phone);
    const u = await deps.store.read(getUser, app.id, phone);
    const out = eligibility({
      templateMessaging: app.settings.templateMessaging,
      optin: u ? effectiveOptin(u, app.settings.unverifiedCountsAsOptin) : 'none',
      lastInboundAt: u?.lastInboundAt ?? null,
      kind: b.kind,
      matchesTemplate: b.matchesTemplate,
      category: b.category,
      marketingStopped: u?.marketingStopped ?? false,
      movedAt: u?.movedTo ? (u.movedAt ?? null) : null,
      now: deps.clock.now(),
    });
    return c.json(out, 200);
  });

  return api;
}
