// The dashboard as a person sees it: the real CLI serving a real coordination repo (three sessions
// of the README's example, an update, an open sync point), opened in headless Chromium.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLI_ENTRY, git, makePlatform, startServer, type Server } from './helpers/mcp.js';
import { tempDir } from './helpers/tmp.js';

const CHROMIUM = '/usr/bin/chromium';
// The README's screenshot: written to docs/ when UPDATE_SCREENSHOT=1, else to a temp dir (a clean
// checkout stays clean after npm test).
const SCREENSHOT = process.env.UPDATE_SCREENSHOT === '1' ? resolve('docs/dashboard.png') : resolve(tempDir('dashboard-shot-'), 'dashboard.png');

const platform = makePlatform({ CLAUDE_ORCHESTRATOR_WATCH: '0' });
let server: Server;
let dashboard: ChildProcess;
let url: URL;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
const ids = { auth: '', gateway: '', frontend: '', update: '', syncPoint: '' };

/** GET on the dashboard with raw control over the Host header (fetch would not allow it). */
function rawGet(path: string, host: string): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const req = request({ host: '127.0.0.1', port: Number(url.port), path, method: 'GET', headers: { Host: host } }, (res) => {
      res.resume();
      resolvePromise(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

function startDashboardProcess(): Promise<{ child: ChildProcess; url: URL }> {
  const child = spawn(process.execPath, [CLI_ENTRY, 'dashboard', '--port', '0'], {
    env: { PATH: process.env.PATH, GIT_CONFIG_NOSYSTEM: '1', ...platform.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`the dashboard printed no URL within 15 s\n${out}\n${err}`)), 15_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(out);
      if (found) {
        clearTimeout(timer);
        resolvePromise({ child, url: new URL(found[0]) });
      }
    });
    child.on('exit', (code) => reject(new Error(`the dashboard exited (${code}) before listening\n${out}\n${err}`)));
  });
}

test.before(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`the dashboard test drives Chromium at ${CHROMIUM}, which is missing: install it with apt-get install -y chromium (.ci/run does)`);
  }
  server = await startServer(platform.env);
  const register = async (role: 'auth' | 'gateway' | 'frontend', currentTask: string) =>
    (await server.call<{ sessionId: string }>('register_session', { repoPath: platform.repos[role], projectGroup: 'my-platform', currentTask })).sessionId;
  ids.auth = await register('auth', 'Renaming user.name to user.fullName');
  ids.gateway = await register('gateway', 'Adding the /v2 routes');
  ids.frontend = await register('frontend', 'Profile page');
  ids.update = (await server.call<{ eventId: string }>('notify_related_sessions', {
    sessionId: ids.auth, changeType: 'schema_change', summary: 'Renamed field user.name to user.fullName',
  })).eventId;
  // The gateway reads it; the frontend has not yet.
  await server.call('get_cross_project_updates', { sessionId: ids.gateway });
  ids.syncPoint = (await server.call<{ syncPointId: string }>('request_sync_point', {
    sessionId: ids.auth, description: 'Ship fullName together', timeoutSeconds: 3600,
  })).syncPointId;
  await server.call('acknowledge_sync_point', { sessionId: ids.gateway, syncPointId: ids.syncPoint, note: 'gateway ready' });

  ({ child: dashboard, url } = await startDashboardProcess());
  context = await chromium.launchPersistentContext(tempDir('orchestrator-chromium-'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const started = Date.now();
  await page.goto(url.href);
  await page.locator(`tr[data-id="${ids.update}"]`).waitFor({ timeout: 10_000 });
  console.log(`    dashboard: first render with data in ${Date.now() - started} ms`);
});

test.after(async () => {
  await context?.close();
  if (dashboard && dashboard.exitCode === null) {
    const exited = new Promise((r) => dashboard.once('exit', r));
    dashboard.kill('SIGINT');
    await exited;
  }
  await server?.close();
});

test('the topology: the three roles, their sessions and tasks, and the dependency arrows', async () => {
  for (const role of ['auth', 'gateway', 'frontend']) {
    const node = page.locator(`svg .node[data-role="${role}"]`);
    assert.ok(await node.isVisible(), `${role} is drawn`);
    assert.ok((await node.textContent())!.includes(role));
  }
  assert.ok((await page.locator('svg .node[data-role="auth"]').textContent())!.includes('Renaming user.name to user.fullName'), 'the current task shows');
  assert.is(await page.locator('svg .node[data-role="gateway"] .dot-active').count(), 1, 'one active gateway session');
  for (const edge of ['gateway->auth', 'frontend->gateway']) {
    const arrow = page.locator(`svg [data-edge="${edge}"]`);
    assert.is(await arrow.count(), 1, `one arrow ${edge}`);
    // A straight arrow has no height, which Playwright's isVisible counts as hidden: measure its length.
    const box = await arrow.boundingBox();
    assert.ok(box && box.width >= 60, `arrow ${edge} is drawn between the two boxes: ${JSON.stringify(box)}`);
    assert.is(await arrow.getAttribute('marker-end'), 'url(#arrow-my-platform)', 'with an arrowhead');
  }
  assert.is(await page.locator('svg [data-edge]').count(), 2, 'no other arrows');
  const caption = await page.locator('[data-group="my-platform"] .edges-caption').textContent();
  assert.match(caption!, 'gateway → auth');
  assert.match(caption!, 'frontend → gateway');
});

test('the timeline: the update with its delivery state per recipient role', async () => {
  const row = page.locator(`tr[data-id="${ids.update}"]`);
  assert.match((await row.textContent())!, 'Renamed field user.name to user.fullName');
  assert.match((await row.textContent())!, 'schema_change');
  const gateway = row.locator('[data-target="gateway"]');
  const frontend = row.locator('[data-target="frontend"]');
  assert.is(await gateway.getAttribute('data-delivery'), 'delivered');
  assert.is((await gateway.textContent())!.trim(), 'gateway: delivered');
  assert.is(await frontend.getAttribute('data-delivery'), 'queued');
  assert.is((await frontend.textContent())!.trim(), 'frontend via gateway: queued');
  // Newest first: the acknowledgement came after the update.
  const order = await page.locator('#timeline-rows tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind')));
  assert.ok(order.indexOf('sync.acknowledged') < order.indexOf('event'), `newest first: ${order.join(', ')}`);
  assert.not.ok(order.includes('delivered'), 'receipts are left out by default');
});

test('the open sync point: who asked, who acknowledged, who remains', async () => {
  const card = page.locator(`[data-sync-id="${ids.syncPoint}"]`);
  const text = (await card.textContent())!;
  assert.match(text, 'Ship fullName together');
  assert.match((await card.locator('.asked').textContent())!, /^auth \(auth-/);
  assert.is((await card.locator('.acked').textContent())!.trim(), 'gateway');
  assert.match((await card.locator('.remaining').textContent())!, /^frontend \(frontend-/);
  assert.match((await card.locator('.expires').textContent())!, /^in (59:\d\d|1h 00m)$/);
});

test('the filters page through the server: a change type, a role', async () => {
  await page.selectOption('#filter-type', 'schema_change');
  await page.waitForFunction(() => [...document.querySelectorAll('#timeline-rows tr')].every((r) => r.getAttribute('data-kind') === 'event'));
  assert.is(await page.locator('#timeline-rows tr').count(), 1);
  await page.selectOption('#filter-type', '');
  await page.selectOption('#filter-role', 'frontend');
  await page.waitForFunction(() => !document.querySelector('#timeline-rows tr[data-kind="sync.acknowledged"]'));
  assert.ok(await page.locator(`tr[data-id="${ids.update}"]`).isVisible(), 'an update addressed to frontend matches its role');
  await page.selectOption('#filter-role', '');
  await page.locator('#timeline-rows tr[data-kind="sync.acknowledged"]').waitFor();
});

test("an update's contract digest shows in its row, as text", async () => {
  // auth's committed API, then an endpoint removed in the working tree and announced with the file.
  const openapi = (extra: string) => `openapi: 3.0.3\ninfo: { title: auth, version: "1" }\npaths:\n  /v1/users:\n    get:\n      responses:\n        "200": { description: users }\n${extra}`;
  mkdirSync(join(platform.repos.auth, 'api'), { recursive: true });
  writeFileSync(join(platform.repos.auth, 'api/openapi.yaml'), openapi('  /v1/login:\n    delete:\n      responses:\n        "204": { description: logged out }\n'));
  git(platform.repos.auth, ['add', '-A']);
  git(platform.repos.auth, ['commit', '-qm', 'the auth API']);
  writeFileSync(join(platform.repos.auth, 'api/openapi.yaml'), openapi(''));
  const { eventId } = await server.call<{ eventId: string }>('notify_related_sessions', {
    sessionId: ids.auth, changeType: 'api_endpoint_change', summary: 'Logout moves to /v2', files: ['api/openapi.yaml'],
  });
  const row = page.locator(`tr[data-id="${eventId}"]`);
  await row.waitFor({ timeout: 2_000 });
  const digest = (await row.locator('td.summary .contract').textContent())!;
  assert.match(digest, /^contract: /);
  assert.match(digest, /DELETE \/v1\/login/);
  assert.match(digest, /\(breaking\)/);
  assert.match((await row.textContent())!, 'breaking_change');
  // A row without a contract has no digest line.
  assert.is(await page.locator(`tr[data-id="${ids.update}"] .contract`).count(), 0);
});

test('a record written by another process appears without a reload within 2 s', async () => {
  const written = Date.now();
  const { eventId } = await server.call<{ eventId: string }>('notify_related_sessions', {
    sessionId: ids.gateway, changeType: 'api_endpoint_change', summary: 'Added GET /v2/users, with fullName',
  });
  const row = page.locator(`tr[data-id="${eventId}"]`);
  await row.waitFor({ timeout: 2_000 });
  const elapsed = Date.now() - written;
  console.log(`    dashboard: a record written by the MCP server showed after ${elapsed} ms`);
  assert.ok(elapsed < 2_000);
  assert.is(await row.locator('[data-target="frontend"]').getAttribute('data-delivery'), 'queued');
  await page.waitForTimeout(300); // let the highlight of the new row settle for the screenshot
  mkdirSync(dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  assert.ok(existsSync(SCREENSHOT));
});

test('text from sessions is shown as text, never parsed as HTML', async () => {
  const summary = 'Fixed <img src=x data-injected=1 onerror="document.title=1"> and <b>bold</b> handling';
  const { eventId } = await server.call<{ eventId: string }>('notify_related_sessions', {
    sessionId: ids.frontend, changeType: 'config_change', summary, notify: ['gateway'],
  });
  const row = page.locator(`tr[data-id="${eventId}"]`);
  await row.waitFor({ timeout: 2_000 });
  assert.is((await row.locator('td.summary').textContent())!.trim(), summary, 'shown exactly as written');
  assert.is(await page.locator('[data-injected], #timeline-rows b').count(), 0);
  assert.is.not(await page.title(), '1');
  assert.equal(pageErrors, [], 'no script errors or policy violations in the page');
});

test('refused: no token, a wrong token, a foreign Host, a write', async () => {
  const withToken = `/?token=${url.searchParams.get('token')}`;
  assert.is(await rawGet(withToken, url.host), 200);
  assert.is(await rawGet(withToken, `localhost:${url.port}`), 200);
  assert.is(await rawGet('/', url.host), 401);
  assert.is(await rawGet('/api/overview', url.host), 401);
  assert.is(await rawGet('/api/overview?token=wrong', url.host), 401);
  assert.is(await rawGet(withToken, `evil.example:${url.port}`), 403);
  assert.is(await rawGet(`/api/timeline?token=${url.searchParams.get('token')}`, 'evil.example'), 403);
  const response = await fetch(url.href, { method: 'POST' });
  assert.is(response.status, 405);
  const page = await fetch(url.href);
  assert.match(page.headers.get('content-security-policy')!, "script-src 'self'");
  assert.not.match(page.headers.get('content-security-policy')!, 'unsafe-inline');
});

test.run();
