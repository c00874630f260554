// Small pieces every benchmark script uses.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { installHook } from '../dist/app/operations/git-hooks.js';
import { SERVER_NODE_FLAGS } from '../dist/config/node-flags.js';

/** An empty git repo at `path`, as a member repo. */
export function makeRepo(path) {
  mkdirSync(path, { recursive: true });
  execFileSync('git', ['init', '-q', path]);
  return path;
}

/**
 * A git repo at `path` with a committer and one commit of `f.txt`, for benchmarks that commit
 * (`git commit -a` after changing f.txt, or `--allow-empty`).
 */
export function makeCommittingRepo(path) {
  const git = (args) => execFileSync('git', args, { cwd: path, stdio: ['ignore', 'pipe', 'pipe'] });
  mkdirSync(path, { recursive: true });
  git(['init', '-q', '-b', 'main']);
  git(['config', 'user.email', 'dev@example.com']);
  git(['config', 'user.name', 'Dev']);
  writeFileSync(join(path, 'f.txt'), '0\n');
  git(['add', 'f.txt']);
  git(['commit', '-q', '-m', 'initial']);
  return path;
}

/** Median and 95th percentile of samples. */
export function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p95: at(0.95) };
}

/** Rows `{name, value, unit, note}` as an aligned table. */
export function formatRows(rows) {
  const width = Math.max(...rows.map((r) => r.name.length));
  const unitWidth = Math.max(...rows.map((r) => r.unit.length));
  return rows.map((r) => `${r.name.padEnd(width)}  ${String(r.value).padStart(10)} ${r.unit.padEnd(unitWidth)} ${r.note}`).join('\n');
}

/** The built MCP server over stdio, with a `call` that returns a tool's structured result or throws its error. */
export async function startServer(env) {
  const transport = new StdioClientTransport({ command: process.execPath, args: [...SERVER_NODE_FLAGS, resolve('dist/index.js')], env: { ...getDefaultEnvironment(), ...env }, stderr: 'ignore' });
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(transport);
  const call = async (name, args) => {
    const result = await client.callTool({ name, arguments: args });
    if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
    return result.structuredContent;
  };
  return { call, close: () => client.close() };
}

/**
 * The commit benchmarks' platform under `root`: a home whose topology has auth and gateway (auth
 * with the post-commit hook installed), and `floor`, a repo whose post-commit hook is empty (what
 * any hook costs here: git forks sh), all made with `makeMemberRepo`. Points this process's
 * CLAUDE_ORCHESTRATOR_HOME at the home (installHook reads it).
 */
export async function hookedPlatform(root, makeMemberRepo) {
  const home = join(root, 'home');
  mkdirSync(home);
  const auth = makeMemberRepo(join(root, 'auth'));
  const gateway = makeMemberRepo(join(root, 'gateway'));
  const floor = makeMemberRepo(join(root, 'floor'));
  writeFileSync(join(floor, '.git', 'hooks', 'post-commit'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  writeBenchTopology(home, auth, gateway);
  process.env.CLAUDE_ORCHESTRATOR_HOME = home;
  await installHook(auth, { node: process.execPath, ingest: resolve('dist/git-hooks/ingest.js'), home, template: resolve('hooks/post-commit') });
  return { home, auth, gateway, floor, env: { CLAUDE_ORCHESTRATOR_HOME: home, HOME: root } };
}

/** `<home>/topology.yml`: group `bench`, auth and gateway (which depends on auth). */
export function writeBenchTopology(home, auth, gateway) {
  writeFileSync(join(home, 'topology.yml'), `version: "1.0"
groups:
  bench:
    members:
      - { path: ${auth}, role: auth }
      - { path: ${gateway}, role: gateway, dependsOn: [auth] }
`);
}
