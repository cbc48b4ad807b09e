/**
 * The Mocha globals that @web/test-runner provides in the browser. The project's tsconfig limits
 * global types to Node's, and @types/mocha is not a dependency, so the few used are declared here.
 */
type Done = (err?: unknown) => void;
type Fn = (this: unknown, done: Done) => void | Promise<unknown>;

declare global {
  function describe(title: string, fn: () => void): void;
  function it(title: string, fn: Fn): void;
  function before(fn: Fn): void;
  function after(fn: Fn): void;
  function beforeEach(fn: Fn): void;
  function afterEach(fn: Fn): void;
}

export {};
