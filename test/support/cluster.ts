import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findHaproxy } from '../../scripts/preflight.js';

const root = join(import.meta.dirname, '../..');

/** Whether a child has ended: by itself (an exit code) or by a signal (`kill -9` leaves the code null). */
const exited = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null;

/** A free TCP port on loopback (listened on, then released). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** One optin-kit server process (`server/main.ts`, exactly as `npm start` runs it). */
export class ServerProcess {
  child: ChildProcess | null = null;
  output = '';

  constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  async start(): Promise<this> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'server/main.ts')], {
      cwd: root,
      env: { ...process.env, ...this.env, PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const check = (d: Buffer) => d.toString().includes('listening') && resolve();
      child.stdout!.on('data', check);
      child.once('exit', (c) => reject(new Error(`server on ${this.port} exited ${c}:\n${this.output}`)));
    });
    return this;
  }

  /** `kill -9`: no clean-up of any kind. */
  async kill9(): Promise<void> {
    const c = this.child;
    if (!c || exited(c)) return;
    const done = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await done;
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (!c || exited(c)) return;
    const done = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
    if (!exited(c)) await this.kill9();
  }
}

/**
 * HAProxy on loopback in front of the servers, round robin, with health checks: the configuration
 * the README gives for running several servers (test/support writes it to a temp file).
 */
export function haproxyConfig(port: number, backends: number[]): string {
  return `global
  maxconn 2000

defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  # A request that never reached a server (it was down) goes to another; one that did is not replayed.
  retries 3
  option redispatch
  retry-on conn-failure

frontend optin
  bind 127.0.0.1:${port}
  default_backend servers

backend servers
  balance roundrobin
  option httpchk GET /healthz
  http-check expect status 200
  default-server inter 500ms fall 2 rise 2
${backends.map((p, i) => `  server s${i + 1} 127.0.0.1:${p} check`).join('\n')}
`;
}

export class Haproxy {
  private child: ChildProcess | null = null;
  private dir = mkdtempSync(join(tmpdir(), 'optin-haproxy-'));
  output = '';

  constructor(
    readonly port: number,
    private readonly backends: number[],
  ) {}

  async start(): Promise<this> {
    const found = findHaproxy();
    if (!('path' in found)) throw new Error(found.problem);
    const cfg = join(this.dir, 'haproxy.cfg');
    writeFileSync(cfg, haproxyConfig(this.port, this.backends));
    const child = spawn(found.path, ['-f', cfg, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    // Ready when it answers through to a healthy server.
    const end = Date.now() + 15_000;
    while (Date.now() < end) {
      if (exited(child)) throw new Error(`haproxy exited ${child.exitCode}: ${this.output}`);
      try {
        if ((await fetch(`http://127.0.0.1:${this.port}/healthz`)).status === 200) return this;
      } catch {
        // Not listening yet.
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`haproxy did not come up: ${this.output}`);
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (c && !exited(c)) {
      const done = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await done;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
