/** Time is injected everywhere so that rules and tests never read the wall clock themselves. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock a test can move by hand. */
export function manualClock(start: number): Clock & { set(t: number): void; advance(ms: number): void } {
  let t = start;
  return { now: () => t, set: (v) => void (t = v), advance: (ms) => void (t += ms) };
}
