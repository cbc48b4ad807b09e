import { isValidAppName } from '../../core/app-name.js';
import type { Clock } from '../../core/clock.js';
import type { Locale } from '../../core/locale.js';
import { appById, appByName, appVersion } from './apps.js';
import type { Store } from './store.js';
import type { AppRecord, Wording } from './types.js';
import { currentWordings } from './wordings.js';

/**
 * Apps and their current wording are read on every page view and consent, and change rarely, so
 * they are kept in memory for `ttlMs`. A change committed through this process's store drops them at
 * once (the store's `app` signal); another process's change (several servers on one PostgreSQL)
 * shows within `ttlMs`.
 */
export class AppCache {
  private apps = new Map<string, { app: AppRecord | null; at: number }>();
  private wordingsById = new Map<string, { w: Record<Locale, Wording>; at: number; appUpdatedAt: number | null }>();
  /** Bumped by every forget: a read that started before it must not put back what it read. */
  private generation = 0;
  /** Names looked up and not found, at most: well-formed random names cannot crowd out real apps. */
  private misses = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ttlMs = 2000,
  ) {
    store.subscribe((signals) => {
      for (const s of signals) if (s.kind === 'app') this.forget(s.id);
    });
  }

  /** Drops an app (and every cached miss: the app may be new) and its wording; `*` drops everything. */
  forget(appId: string): void {
    this.generation++;
    if (appId === '*') {
      this.apps.clear();
      this.misses = 0;
      this.wordingsById.clear();
      return;
    }
    for (const [k, v] of this.apps) if (!v.app || v.app.id === appId) this.apps.delete(k);
    this.misses = 0;
    this.wordingsById.delete(appId);
  }

  private dropMisses(): void {
    for (const [k, v] of this.apps) if (!v.app) this.apps.delete(k);
    this.misses = 1;
  }

  /** How many names are cached, found or not (for tests). */
  get size(): number {
    return this.apps.size;
  }

  private fresh(at: number): boolean {
    return this.clock.now() - at < this.ttlMs;
  }

  /**
   * The cached app, without waiting: `undefined` when the cache cannot answer (then use byName).
   * Hot paths (the consent page) skip a promise this way.
   */
  cached(name: string): AppRecord | null | undefined {
    // A name no app can have is answered at once, and never kept: random names cannot fill the cache.
    if (!isValidAppName(name)) return null;
    const hit = this.apps.get(name.toLowerCase());
    return hit && this.fresh(hit.at) ? hit.app : undefined;
  }

  /** Finds an app by name, without regard to case. */
  async byName(name: string): Promise<AppRecord | null> {
    if (!isValidAppName(name)) return null;
    const key = name.toLowerCase();
    const hit = this.apps.get(key);
    if (hit && this.fresh(hit.at)) return hit.app;
    const gen = this.generation;
    const app = await this.store.read(appByName, key);
    if (gen !== this.generation) return app;
    if (this.apps.size > 10_000) {
      this.apps.clear();
      this.misses = 0;
    }
    if (!app && ++this.misses > 1000) this.dropMisses();
    this.apps.set(key, { app, at: this.clock.now() });
    // Another process changed the app (its wording, maybe): the cached wording is of an older version.
    const w = app && this.wordingsById.get(app.id);
    if (w && w.appUpdatedAt !== app.updatedAt) this.wordingsById.delete(app.id);
    return app;
  }

  /** An app by id, read afresh (sessions, deliveries: rare, and they must see the newest). */
  byId(id: string): Promise<AppRecord | null> {
    return this.store.read(appById, id);
  }

  /** The cached current wordings, without waiting, or `undefined`. */
  cachedWordings(appId: string): Record<Locale, Wording> | undefined {
    const hit = this.wordingsById.get(appId);
    return hit && this.fresh(hit.at) ? hit.w : undefined;
  }

  /** The newest wording version per locale. */
  async wordings(appId: string): Promise<Record<Locale, Wording>> {
    const hit = this.wordingsById.get(appId);
    if (hit && this.fresh(hit.at)) return hit.w;
    const gen = this.generation;
    // The app's version is read first: if it changes meanwhile, the entry looks older than it is
    // and the next byName drops it; never the other way round.
    const version = await this.store.read(appVersion, appId);
    const w = await this.store.read(currentWordings, appId);
    if (gen !== this.generation) return w;
    if (this.wordingsById.size > 10_000) this.wordingsById.clear();
    this.wordingsById.set(appId, { w, at: this.clock.now(), appUpdatedAt: version });
    return w;
  }
}
