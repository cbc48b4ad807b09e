import type { MiddlewareHandler } from 'hono';
import { describeTextProblem, findBadText } from '../../core/text.js';
import { ApiError } from '../errors.js';
import { hasBody, mediaType, readText } from '../http.js';

/**
 * JSON bodies only, small and of well-formed text: anything else is a clear 415, 413, 400 or 422,
 * never a confusing 422 from the validator (its `json` target reads a body only when the
 * Content-Type says JSON) nor a 500 further in (a lone surrogate cannot be URL-encoded; NUL cannot
 * be stored in PostgreSQL). The body is read here once and handed to the validator.
 *
 * @example
 * app.use('/api/v1/apps/*', jsonBody({ maxSize: 64 * 1024 }));
 */
export function jsonBody(o: { maxSize: number }): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next();
    // Only a body that has content must be JSON (a PUT .../optin may come without one).
    if (!hasBody(c)) return next();
    if (mediaType(c) !== 'application/json')
      throw new ApiError(415, 'unsupported_media_type', 'Send application/json.');
    const text = await readText(c, o.maxSize);
    if (text === null)
      throw new ApiError(413, 'payload_too_large', `The body may be at most ${Math.round(o.maxSize / 1024)} KB.`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiError(400, 'malformed_request', 'The body is not valid JSON.');
    }
    const bad = findBadText(body);
    if (bad) throw new ApiError(422, 'invalid_text', `${bad.path} ${describeTextProblem(bad.problem)}.`);
    // The stream is spent: the validator reads the same text again (as hono's bodyLimit does). A new
    // request, not one made from the old: on a socket @hono/node-server would rebuild the old one
    // from the request stream readText() has already read, and throw (a 500 for every JSON body).
    c.req.raw = new Request(c.req.url, { method: c.req.method, headers: c.req.raw.headers, body: text });
    return next();
  };
}
