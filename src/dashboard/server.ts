// The dashboard's HTTP server: a read-only page on 127.0.0.1, its script and styles, two JSON
// endpoints and a server-sent event stream that says when anything changed.
//
// Safe by default: it listens on the loopback interface only; every request must carry the
// random token of the URL it printed and a Host header naming this server (so a web page on
// another name that rebinds to 127.0.0.1 gets nothing); only GET and HEAD are served; the page
// runs under a strict Content-Security-Policy (scripts and styles from this server only, no
// inline code, nothing from elsewhere). All data is JSON, which the page renders as text.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, sep } from 'node:path';
import { packageRoot } from '../config/package-root.js';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { ExpiredCursorError, type DashboardData, type TimelineQuery } from './data.js';

export const DASHBOARD_HOST = '127.0.0.1';

export interface DashboardOptions {
  data: DashboardData;
  /** Port on 127.0.0.1; 0 (the default) takes any free one. */
  port?: number;
  /** The secret every request must carry (default: 32 random bytes, base64url). */
  token?: string;
  /** How often the ref tips are compared while a page listens (ms, default 250). */
  pollMs?: number;
  /** Where index.html, app.js and style.css are (default: the package's assets/dashboard). */
  assetsDir?: string;
}

export interface RunningDashboard {
  /** The page, token included: what to print and open. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const ASSETS: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'icon.svg': 'image/svg+xml',
};

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

export function defaultAssetsDir(): string {
  return join(packageRoot(), 'assets', 'dashboard') + sep;
}

/** Starts the server; resolves once it listens. */
export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const dir = options.assetsDir ?? defaultAssetsDir();
  const files = new Map(Object.keys(ASSETS).map((name) => [name, readFileSync(`${dir}/${name}`)]));
  const template = readFileSync(`${dir}/index.html`, 'utf8');
  const changes = new ChangeFeed(options.data, options.pollMs ?? 250);
  let port = 0;

  const app = new Hono();
  app.use('*', async (c, next) => {
    const refused = refusal(c, port, token);
    if (refused) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
      return c.text(refused.message, refused.status);
    }
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
  });

  // The token is ours (base64url): safe to put in an attribute as it is.
  app.get('/', (c) => c.html(template.replaceAll('{{TOKEN}}', token)));
  app.get('/assets/:name', (c) => {
    const name = c.req.param('name');
    const body = files.get(name);
    if (!body) return c.text('not found', 404);
    return c.body(new Uint8Array(body), 200, { 'Content-Type': ASSETS[name]! });
  });
  app.get('/api/overview', async (c) => c.json(await options.data.overview()));
  app.get('/api/timeline', async (c) => {
    try {
      return c.json(await options.data.timeline(timelineQuery(c)));
    } catch (error) {
      if (error instanceof ExpiredCursorError) return c.json({ error: error.message }, 410);
      throw error;
    }
  });
  app.get('/events', (c) =>
    streamSSE(c, async (stream) => {
      let wake: (() => void) | null = null;
      let changed = false;
      const unsubscribe = changes.subscribe(() => {
        changed = true;
        wake?.();
      });
      stream.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      await stream.writeSSE({ event: 'hello', data: await changes.current() });
      while (!stream.aborted && !stream.closed) {
        // Wake on a change, or every 15 s to send a keep-alive the page also uses to refresh liveness.
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 15_000).unref();
        });
        wake = null;
        if (stream.aborted) break;
        if (changed) {
          changed = false;
          await stream.writeSSE({ event: 'change', data: await changes.current() });
        } else await stream.writeSSE({ event: 'tick', data: '' });
      }
      unsubscribe();
    }),
  );
  app.onError((error, c) => {
    console.error(`claude-orchestrator dashboard: ${error instanceof Error ? error.message : String(error)}`);
    return c.json({ error: 'the coordination repo could not be read; see the dashboard process output' }, 500);
  });

  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: DASHBOARD_HOST, port: options.port ?? 0 }, () => resolve(s as Server)) as Server;
    s.once('error', reject);
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${DASHBOARD_HOST}:${port}/?token=${token}`,
    port,
    token,
    async close() {
      changes.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Why a request is refused, or null: wrong method, foreign Host (DNS rebinding), missing or wrong token. */
function refusal(c: Context, port: number, token: string): { status: 403 | 405 | 401; message: string } | null {
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return { status: 405, message: 'read-only: only GET is served' };
  const host = (c.req.header('host') ?? '').toLowerCase();
  if (host !== `${DASHBOARD_HOST}:${port}` && host !== `localhost:${port}`) return { status: 403, message: 'forbidden: unknown Host' };
  const given = c.req.query('token') ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return { status: 401, message: 'forbidden: open the URL the dashboard printed, token included' };
  return null;
}

function timelineQuery(c: Context): TimelineQuery {
  const q = (name: string) => {
    const value = c.req.query(name);
    return value === undefined || value === '' ? undefined : value;
  };
  const limit = Number(q('limit'));
  return {
    ...(q('group') ? { group: q('group') } : {}),
    ...(q('role') ? { role: q('role') } : {}),
    ...(q('type') ? { changeType: q('type') } : {}),
    ...(q('all') === '1' ? { all: true } : {}),
    ...(q('cursor') ? { cursor: q('cursor') } : {}),
    ...(Number.isFinite(limit) && limit > 0 ? { limit } : {}),
  };
}

/**
 * Polls the data's version while anyone listens, one poll for all listeners. A slow read (a huge
 * repo, a busy disk) stretches the interval to four times its own duration, so polling never
 * takes more than a fifth of a core.
 */
class ChangeFeed {
  private readonly listeners = new Set<() => void>();
  private last: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly data: DashboardData, private readonly pollMs: number) {}

  async current(): Promise<string> {
    this.last ??= await this.data.version();
    return this.last;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    if (!this.timer && !this.stopped) this.schedule(this.pollMs);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(() => void this.poll(), delay);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    const started = Date.now();
    try {
      const version = await this.data.version();
      if (this.last !== null && version !== this.last) for (const listener of [...this.listeners]) listener();
      this.last = version;
    } catch (error) {
      console.error(`claude-orchestrator dashboard: reading the refs failed: ${(error as Error).message}`);
    }
    this.timer = undefined;
    if (this.listeners.size > 0 && !this.stopped) this.schedule(Math.max(this.pollMs, 4 * (Date.now() - started)));
  }
}
