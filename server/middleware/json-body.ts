import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from '../errors.js';
import { mediaType } from '../http.js';

/**
 * JSON bodies only, and small: anything else is a clear 415 or 413, never a confusing 422 (the
 * validator's `json` target reads a body only when the Content-Type says JSON).
 *
 * @example
 * app.use('/api/v1/apps/*', jsonBody({ maxSize: 64 * 1024 }));
 */
export function jsonBody(o: { maxSize: number }): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: o.maxSize,
    onError: () => {
      throw new ApiError(413, 'payload_too_large', `The body may be at most ${Math.round(o.maxSize / 1024)} KB.`);
    },
  });
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next();
    // Node gives every DELETE, PUT and POST a body stream, even an empty one: only a body that has
    // content must be JSON.
    const hasBody = Number(c.req.header('content-length') ?? 0) > 0 || c.req.header('transfer-encoding') !== undefined;
    if (hasBody && mediaType(c) !== 'application/json')
      throw new ApiError(415, 'unsupported_media_type', 'Send application/json.');
    return limit(c, next);
  };
}
