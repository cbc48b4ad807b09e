import { OpenAPIHono, z } from '@hono/zod-openapi';
import { ApiError } from '../errors.js';
import type { AuthEnv } from '../middleware/bearer-auth.js';

/** The one error shape, as the OpenAPI document shows it. */
export const ErrorSchema = z
  .object({ error: z.object({ code: z.string().openapi({ example: 'invalid_phone' }), message: z.string() }) })
  .openapi('Error');

/** A JSON response of the OpenAPI document. */
export const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** `Retry-After`, on every 429 and 503. */
export const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' as const } },
};

const ERROR_TEXT = {
  400: 'Malformed request (not JSON, or a bad cursor)',
  401: 'No key, or a bad or revoked key',
  403: 'Another app’s key, or an operator-only route',
  404: 'No such app (or no such item)',
  409: 'Conflict',
  413: 'The body is too large',
  415: 'Wrong content type',
  422: 'Invalid values',
  429: 'Too many requests: wait Retry-After seconds',
  503: 'The store cannot record or answer now (nothing was recorded unless the message says it may have been): wait Retry-After seconds',
} as const;
export type ErrorStatus = keyof typeof ERROR_TEXT;

/** The error responses an operation documents, each in the one error shape. */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        ...json(ErrorSchema, ERROR_TEXT[s]),
        ...(s === 429 || s === 503 ? { headers: RETRY_AFTER } : {}),
      },
    ]),
  ) as Record<S, ReturnType<typeof json>>;
}

/**
 * Every error a business-API operation can answer: authentication (401, 429 after too many failures),
 * the app (403, 404), validation (400, 422), the store (503), and for methods that may carry a body
 * the JSON-only middleware's 413 and 415 (server/middleware/json-body.ts).
 */
export function apiErrors(method: 'get' | 'post' | 'put' | 'patch' | 'delete') {
  const base = errorResponses(400, 401, 403, 404, 422, 429, 503);
  return method === 'get' ? base : { ...base, ...errorResponses(413, 415) };
}

/** The business API's security requirement: the app's API key or the operator's ADMIN_TOKEN. */
export const BEARER = [{ bearer: [] }];

/** The `:app` path parameter. */
export const AppParam = z.object({
  app: z.string().openapi({ param: { name: 'app', in: 'path' }, example: 'Acme', description: 'The app’s name' }),
});

export const iso = (t: number) => new Date(t).toISOString();

/** Validation failures of the OpenAPI routes, in the one error shape. */
export const defaultHook = (result: {
  success: boolean;
  error?: { issues: { path: PropertyKey[]; message: string }[] };
  target?: string;
}) => {
  if (result.success) return;
  const issues = result.error?.issues ?? [];
  throw new ApiError(
    422,
    'invalid_request',
    issues.map((i) => `${i.path.map(String).join('.') || 'body'}: ${i.message}`).join('; ') || 'Invalid request.',
  );
};

/**
 * A router for documented business-API routes: its `createRoute` definitions join the OpenAPI
 * document when it is mounted with `app.route`, and its validation failures answer in the one shape.
 */
export function openApiRouter(): OpenAPIHono<AuthEnv> {
  return new OpenAPIHono<AuthEnv>({ defaultHook: defaultHook as never });
}
