// autocannon ships no types; the benchmark uses a small part of its API.
declare module 'autocannon' {
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    requests?: unknown[];
  }
  interface Result {
    requests: { average: number };
    latency: { p99: number; p50: number };
    non2xx: number;
    errors: number;
    timeouts: number;
  }
  function autocannon(opts: Options): Promise<Result>;
  namespace autocannon {
    export { Options, Result };
  }
  export default autocannon;
}
