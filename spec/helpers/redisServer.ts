/* A real redis-server for specs: started on a free loopback port, with no persistence, stopped after. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createClient } from 'redis';
import { afterAll, beforeAll, beforeEach } from 'vitest';

/** A running redis-server. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Whether `redis-server` is on the PATH (`.ci/run` installs Debian's package when it is missing). */
export async function hasRedisServer(): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = spawn('redis-server', ['--version'], { stdio: 'ignore' });
    probe.on('error', () => resolve(false));
    probe.on('exit', (code) => resolve(code === 0));
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `redis-server` on 127.0.0.1 and a free port, without persistence, and waits until it
 * answers PING (up to 5 s; a server still loading a dataset answers it with `LOADING`, which counts).
 * `args` are passed on after the defaults (a `--dir` and `--dbfilename` to load). Throws, loudly,
 * when it cannot: a suite that needs Redis must not pass silently without it.
 */
export async function startRedisServer(args: readonly string[] = []): Promise<RedisServer> {
  // the free port is closed before redis-server binds it: another suite starting at once may take it first (then start again)
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(await freePort(), args);
    } catch (e) {
      if (attempt >= 5 || !(e instanceof Error && /Address already in use/i.test(e.message))) throw e;
    }
  }
}

async function startOn(port: number, args: readonly string[]): Promise<RedisServer> {
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', ...args],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<never>((_, reject) => {
    child.on('error', (e) => reject(new Error(`redis-server could not be started: ${e.message} (is it installed? .ci/run installs it)`)));
    child.on('exit', (code) => reject(new Error(`redis-server exited with code ${code}: ${stderr}`)));
  });
  const url = `redis://127.0.0.1:${port}`;
  const ready = (async () => {
    for (let i = 0; i < 100; i++) {
      const client = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 200 } });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.ping().catch((e: unknown) => {
          if (!(e instanceof Error && e.message.startsWith('LOADING '))) throw e; // up, still loading its dataset
        });
        // the server on the port is this one, not another suite's that took the port first (this one then exits: start again)
        if (!(await client.info('server')).includes(`process_id:${child.pid}\r\n`)) throw new Error('another redis-server');
        await client.quit();
        return;
      } catch {
        await client.destroy?.();
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Error(`redis-server on port ${port} did not answer PING within 5 s: ${stderr}`);
  })();
  await Promise.race([ready, exited]);
  return {
    url,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * A connected client of a fresh redis-server for the suite it is called in: started (with `args`)
 * before all, flushed before each spec, stopped after all.
 */
export function useRedisServer(args: readonly string[] = []): { readonly server: RedisServer; readonly client: ReturnType<typeof createClient> } {
  let server: RedisServer | undefined;
  let client: ReturnType<typeof createClient> | undefined;
  beforeAll(async () => {
    server = await startRedisServer(args);
    client = createClient({ url: server.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.quit();
    await server?.stop();
  });
  beforeEach(async () => {
    await client!.flushAll();
  });
  return {
    get server() {
      return server!;
    },
    get client() {
      return client!;
    },
  };
}

/**
 * A fresh redis-server for the suite it is called in (started before all, stopped after all) and
 * `connect()`, a new connected client of it each call (its errors ignored: a spec may drop it), all
 * quit after all: for specs that play several servers of a fleet, each with its own connection.
 */
export function useRedisClients() {
  let server: RedisServer | undefined;
  const clients: { isOpen: boolean; quit(): Promise<unknown> }[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await Promise.all(clients.filter((c) => c.isOpen).map((c) => c.quit()));
    await server?.stop();
  });
  return {
    connect: async () => {
      const c = createClient({ url: server!.url });
      c.on('error', () => undefined);
      await c.connect();
      clients.push(c);
      return c;
    },
  };
}

/** Polls `check` (a Redis round trip) until it holds, at most 2,000 times. */
export async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 2000; i++) if (await check()) return;
  throw new Error('the condition never held');
}

/** The ids of the connections of `client`'s server blocked in an XREAD (a follower waiting for entries). */
export async function blockedReaders(client: { sendCommand(args: string[]): Promise<unknown> }): Promise<string[]> {
  return ((await client.sendCommand(['CLIENT', 'LIST'])) as string).split('\n').filter((l) => / flags=b /.test(l) && l.includes('cmd=xread')).map((l) => /id=(\d+)/.exec(l)![1]!);
}
