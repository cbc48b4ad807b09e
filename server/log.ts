/**
 * The server's log: one line per cause, rate-limited, with phone numbers masked.
 *
 * - Every line goes through {@link maskPhones}: a run of 7 or more digits (with the spaces, dots,
 *   dashes and brackets people put in numbers) keeps only its last four. Request paths carry phone
 *   numbers (`/api/v1/apps/x/users/14155550123`), and so do some database errors.
 * - The same cause is printed once, then counted: a 10 s database outage once printed 3,417 lines of
 *   stack traces. While a cause repeats, one summary line per window says how many more there were.
 */

export type LogSink = (line: string) => void;

const stderr: LogSink = (line) => process.stderr.write(line + '\n');
let sink: LogSink = stderr;

/** Where log lines go (standard error by default). Returns a function that restores the previous sink. */
export function setLogSink(s: LogSink): () => void {
  const prev = sink;
  sink = s;
  return () => {
    sink = prev;
  };
}

const PHONE_RUN = /\+?\d(?:[\s().-]?\d){6,}/g;

/**
 * Masks every phone-like run of digits in a line, keeping the last four.
 *
 * @example
 * maskPhones('PUT /api/v1/apps/acme/users/14155550123/optout') // 'PUT /api/v1/apps/acme/users/•••••••0123/optout'
 */
export function maskPhones(text: string): string {
  return text.replace(PHONE_RUN, (run) => {
    const digits = run.replace(/\D/g, '');
    return '•'.repeat(digits.length - 4) + digits.slice(-4);
  });
}

/** How long one cause stays quiet after it was printed. */
export const LOG_WINDOW_MS = 60_000;

interface Seen {
  printedAt: number;
  suppressed: number;
}

const seen = new Map<string, Seen>();
let timer: NodeJS.Timeout | null = null;

function write(level: 'error' | 'warn' | 'info', text: string): void {
  sink(`${new Date().toISOString()} ${level} ${maskPhones(text)}`);
}

/** Prints what was held back for causes whose window has ended. */
function summarise(now: number): void {
  for (const [cause, s] of seen) {
    if (now - s.printedAt < LOG_WINDOW_MS) continue;
    if (s.suppressed > 0)
      write('warn', `${cause}: ${s.suppressed} more like this in the last ${LOG_WINDOW_MS / 1000} s`);
    seen.delete(cause);
  }
  if (seen.size === 0 && timer) {
    clearInterval(timer);
    timer = null;
  }
}

/**
 * Logs a cause once per window. `cause` names the kind of failure (it must not hold a phone number or
 * anything that varies per request); `detail` is printed with the first occurrence only.
 */
function once(level: 'error' | 'warn', cause: string, detail?: string): void {
  const now = Date.now();
  const s = seen.get(cause);
  if (s && now - s.printedAt < LOG_WINDOW_MS) {
    s.suppressed++;
    return;
  }
  if (s?.suppressed) write('warn', `${cause}: ${s.suppressed} more like this in the last ${LOG_WINDOW_MS / 1000} s`);
  if (seen.size > 1000) seen.clear();
  seen.set(cause, { printedAt: now, suppressed: 0 });
  write(level, detail ? `${cause}: ${detail}` : cause);
  if (!timer) {
    timer = setInterval(() => summarise(Date.now()), LOG_WINDOW_MS);
    timer.unref();
  }
}

/** The first line of an error, or its stack when it is a bug rather than an outage. */
function describe(err: unknown, stack: boolean): string {
  if (err instanceof Error) return stack && err.stack ? err.stack : err.message.split('\n')[0]!;
  return String(err);
}

export const log = {
  /** An error, once per cause per window; with its stack when `stack` (a bug, not an outage). */
  error(cause: string, err?: unknown, o: { stack?: boolean } = {}): void {
    once('error', cause, err === undefined ? undefined : describe(err, o.stack ?? false));
  },
  warn(cause: string, detail?: string): void {
    once('warn', cause, detail);
  },
  /** A one-off line (start-up, shutdown): never held back, still masked. */
  info(text: string): void {
    write('info', text);
  },
};
