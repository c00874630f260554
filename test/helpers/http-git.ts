// A smart-HTTP git server on loopback: `git http-backend` (CGI) behind a tiny node:http bridge.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname } from 'node:path';
import { execFileSync } from 'node:child_process';

export interface HttpGit {
  /** URL of the served bare repo. */
  url: string;
  close(): Promise<void>;
}

/** Serves `bare` (pushes allowed) at http://127.0.0.1:<port>/<name>. */
export async function serveHttp(bare: string): Promise<HttpGit> {
  execFileSync('git', [`--git-dir=${bare}`, 'config', 'http.receivepack', 'true']);
  const root = dirname(bare);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        CONTENT_LENGTH: String(body.length),
        REMOTE_ADDR: '127.0.0.1',
        REMOTE_USER: 'tester',
        SERVER_PROTOCOL: 'HTTP/1.1',
        ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: String(req.headers['content-encoding']) } : {}),
        ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
      };
      const cgi = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
      // The backend may exit without reading the whole body (an error it reports on stdout, or a
      // client gone under load): its answer says what happened, the EPIPE must not crash the test.
      cgi.stdin.on('error', () => {});
      cgi.stdin.end(body);
      let head = Buffer.alloc(0);
      let started = false;
      cgi.stdout.on('data', (chunk: Buffer) => {
        if (started) return void res.write(chunk);
        head = Buffer.concat([head, chunk]);
        let end = head.indexOf('\r\n\r\n');
        let sep = 4;
        if (end < 0) {
          end = head.indexOf('\n\n');
          sep = 2;
        }
        if (end < 0) return;
        started = true;
        let status = 200;
        for (const line of head.subarray(0, end).toString('utf8').split(/\r?\n/)) {
          const colon = line.indexOf(':');
          if (colon < 0) continue;
          const name = line.slice(0, colon).trim();
          const value = line.slice(colon + 1).trim();
          if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]) || 200;
          else res.setHeader(name, value);
        }
        res.statusCode = status;
        res.write(head.subarray(end + sep));
      });
      cgi.on('close', () => {
        if (!started) res.statusCode = 500;
        res.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/${basename(bare)}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
