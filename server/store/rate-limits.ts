import { get, run, type Body } from './driver.js';

/** Rate-limit counts shared by every server on one PostgreSQL (server/rate-limit.ts): one row per key. */

/** Counts one hit of `key` in minute `win` and returns the count so far in that minute. */
export function* hitWindow(key: string, win: number, now: number): Body<number> {
  const r = yield* get<{ n: number }>(
    `INSERT INTO rate_limits (key, win, n) VALUES (?, ?, 1)
     ON CONFLICT (key) DO UPDATE SET n = CASE WHEN rate_limits.win = excluded.win THEN rate_limits.n + 1 ELSE 1 END, win = excluded.win
     RETURNING n`,
    [key, win],
  );
  // Now and then, forget keys not seen for a while, so that the table stays as small as the traffic.
  if (now % 997 === 0) yield* run('DELETE FROM rate_limits WHERE win < ?', [win - 5]);
  return Number(r?.n ?? 1);
}
