import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppRecord } from './store/types.js';

/**
 * The one error type of the API. `onError` formats it as `{ error: { code, message } }`; the
 * people-facing pages render their own friendly page instead.
 *
 * @example
 * throw new ApiError(422, 'invalid_phone', 'Enter a valid phone number with its country code.');
 */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(status, { message });
  }
}

export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

/** The app a public route names, or a 404 in the one error shape. */
export async function findApp(
  deps: { apps: { byName(name: string): Promise<AppRecord | null> } },
  name: string,
): Promise<AppRecord> {
  const app = await deps.apps.byName(name);
  if (!app) throw new ApiError(404, 'app_not_found', `No app is named ${name}.`);
  return app;
}

/** The API's answer for a path nothing handles. */
export const notFound = (c: Context) => c.json(errorBody('not_found', 'Nothing here.'), 404);

/**
 * The API's one error handler: an {@link ApiError} or Hono's HTTPException becomes the one error
 * shape with its status; anything else is logged and answered 500.
 */
export function onError(err: Error, c: Context): Response {
  if (err instanceof ApiError) {
    for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
    return c.json(errorBody(err.code, err.message), err.status);
  }
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    const code =
      status === 400
        ? 'malformed_request'
        : status === 413
          ? 'payload_too_large'
          : status === 401
            ? 'unauthorized'
            : 'error';
    return c.json(errorBody(code, err.message || 'Bad request.'), status);
  }
  console.error('unhandled error', c.req.method, c.req.path, err);
  return c.json(errorBody('internal', 'Something went wrong on our side. Nothing you sent was lost; try again.'), 500);
}
