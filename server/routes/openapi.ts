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

const ERROR_TEXT = {
  400: 'Malformed request',
  401: 'No key, or a bad or revoked key',
  403: 'Another app’s key',
  404: 'Not found',
  409: 'Conflict',
  422: 'Invalid values',
} as const;

/** The error responses a business route documents. */
export function errorResponses<S extends keyof typeof ERROR_TEXT>(...statuses: S[]) {
  return Object.fromEntries(statuses.map((s) => [s, json(ErrorSchema, ERROR_TEXT[s])])) as Record<
    S,
    ReturnType<typeof json>
  >;
}

/** The `:app` path parameter. */
export const AppParam = z.object({ app: z.string().openapi({ param: { name: 'app', in: 'path' }, example: 'Acme' }) });

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
