import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

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
