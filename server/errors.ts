import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { log } from './log.js';
import { BadText, StoreUnavailable } from './store/driver.js';
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
    options: { cause?: unknown } = {},
  ) {
    super(status, { message, cause: options.cause });
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

/** Seconds a client should wait before trying again when the store cannot record. */
export const STORE_RETRY_AFTER_S = 5;

/** What a person or program is told when the store could not record (or confirm) their request. */
export function unavailableMessage(e: StoreUnavailable): string {
  return e.maybeCommitted
    ? 'The database did not confirm the change in time: it may or may not have been recorded. Try again in a few seconds.'
    : 'The database is not answering: nothing was recorded. Try again in a few seconds.';
}

/** Logs a failure once per cause: an outage as one line, a bug with its stack (server/log.ts). */
export function logFailure(err: unknown, c: Context): void {
  if (err instanceof StoreUnavailable) log.error('store unavailable', err);
  else log.error(`unhandled error in ${c.req.method} ${c.req.routePath}`, err, { stack: true });
}

/**
 * The API's one error handler: an {@link ApiError} or Hono's HTTPException becomes the one error
 * shape with its status; the store being unavailable is a 503 with Retry-After; anything else is
 * logged and answered 500.
 */
export function onError(err: Error, c: Context): Response {
  if (err instanceof StoreUnavailable) {
    logFailure(err, c);
    c.header('Retry-After', String(STORE_RETRY_AFTER_S));
    return c.json(errorBody('store_unavailable', unavailableMessage(err)), 503);
  }
  if (err instanceof BadText) {
    return c.json(
      errorBody('invalid_text', 'The request has text that cannot be stored (NUL or malformed Unicode).'),
      400,
    );
  }
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
  logFailure(err, c);
  return c.json(
    errorBody('internal', 'Something went wrong on our side; what you sent may not have been recorded. Try again.'),
    500,
  );
}
