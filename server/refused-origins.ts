/**
 * Origins whose widget opt-ins were refused because the app does not list them, kept per app so
 * that the Settings page can offer to allow them. Recent only and bounded: at most
 * {@link PER_APP} origins per app (the least recently refused goes first) and {@link MAX_APPS}
 * apps, so that no stream of made-up Origin headers can grow it. In memory, per server process:
 * a hint for the marketer, not evidence.
 */
export const PER_APP = 10;
export const MAX_APPS = 5_000;
/** Refusals older than this are no longer "recent". */
export const RECENT_MS = 7 * 86_400_000;

export interface RefusedOrigin {
  origin: string;
  count: number;
  firstAt: number;
  lastAt: number;
}

export class RefusedOrigins {
  private byApp = new Map<string, Map<string, RefusedOrigin>>();

  constructor(private readonly now: () => number) {}

  /** Notes one refusal of `origin` for `appId`. */
  add(appId: string, origin: string): void {
    // An Origin header is at most a scheme, a host and a port; anything longer is not one.
    if (origin.length > 300 || origin === 'null') return;
    const at = this.now();
    let list = this.byApp.get(appId);
    if (!list) {
      if (this.byApp.size >= MAX_APPS) this.byApp.delete(this.byApp.keys().next().value!);
      this.byApp.set(appId, (list = new Map()));
    }
    const cur = list.get(origin);
    list.delete(origin); // re-inserted last: the map's order is "least recently refused first"
    list.set(
      origin,
      cur ? { ...cur, count: cur.count + 1, lastAt: at } : { origin, count: 1, firstAt: at, lastAt: at },
    );
    if (list.size > PER_APP) list.delete(list.keys().next().value!);
  }

  /** The app's recently refused origins, most recent first, leaving out those it now allows. */
  list(appId: string, allowed: readonly string[] = []): RefusedOrigin[] {
    const since = this.now() - RECENT_MS;
    return [...(this.byApp.get(appId)?.values() ?? [])]
      .filter((r) => r.lastAt >= since && !allowed.includes(r.origin))
      .reverse();
  }

  /** Forgets an origin once it is allowed. */
  forget(appId: string, origin: string): void {
    this.byApp.get(appId)?.delete(origin);
  }
}
