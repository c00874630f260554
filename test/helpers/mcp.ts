// Real MCP servers over stdio, driven by the SDK's Client, for tests and benchmarks.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { EXAMPLE_TOPOLOGY } from '../../src/topology/example.js';
import { tempDir } from './tmp.js';

export const SERVER_ENTRY = resolve('dist/index.js');
export const CLI_ENTRY = resolve('dist/cli/main.js');

export interface Server {
  client: Client;
  transport: StdioClientTransport;
  stderr: () => string;
  /** Calls a tool and returns its structured result; throws with the tool's message on isError. */
  call<T = Record<string, unknown>>(name: string, args: Record<string, unknown>): Promise<T>;
  /** Calls a tool expecting an error; returns its text. */
  callError(name: string, args: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export async function startServer(env: Record<string, string>): Promise<Server> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [SERVER_ENTRY],
    env: { ...getDefaultEnvironment(), ...env },
    stderr: 'pipe',
  });
  let errText = '';
  transport.stderr?.on('data', (chunk: Buffer) => (errText += chunk.toString()));
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(transport);
  const call = async <T,>(name: string, args: Record<string, unknown>): Promise<T> => {
    const result = await client.callTool({ name, arguments: args });
    if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}\n${errText}`);
    return result.structuredContent as T;
  };
  const callError = async (name: string, args: Record<string, unknown>): Promise<string> => {
    const result = await client.callTool({ name, arguments: args });
    if (!result.isError) throw new Error(`${name} was expected to fail but returned ${JSON.stringify(result.structuredContent)}`);
    return (result.content as Array<{ text: string }>).map((c) => c.text).join('\n');
  };
  return { client, transport, stderr: () => errText, call, callError, close: () => client.close() };
}

export function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A git repo with one commit, as a member repo. */
export function makeRepo(path: string): string {
  mkdirSync(path, { recursive: true });
  git(path, ['init', '-q', '-b', 'main']);
  git(path, ['config', 'user.email', 'dev@example.com']);
  git(path, ['config', 'user.name', 'Dev']);
  writeFileSync(join(path, 'README.md'), '# repo\n');
  git(path, ['add', '.']);
  git(path, ['commit', '-q', '-m', 'initial']);
  return path;
}

export interface Platform {
  home: string;
  repos: { auth: string; gateway: string; frontend: string };
  env: Record<string, string>;
}

/** The original README's example: auth <- gateway <- frontend, with its two rules. */
export function makePlatform(extraEnv: Record<string, string> = {}): Platform {
  const root = tempDir('orchestrator-platform-');
  const home = join(root, 'home');
  mkdirSync(home, { recursive: true });
  const repos = {
    auth: makeRepo(join(root, 'auth-service')),
    gateway: makeRepo(join(root, 'api-gateway')),
    frontend: makeRepo(join(root, 'frontend')),
  };
  // The README's example, as `init` writes it, with the member repos made here.
  const topology = EXAMPLE_TOPOLOGY.replace('~/repos/auth-service', repos.auth)
    .replace('~/repos/api-gateway', repos.gateway)
    .replace('~/repos/frontend', repos.frontend);
  writeFileSync(join(home, 'topology.yml'), topology);
  return { home, repos, env: { CLAUDE_ORCHESTRATOR_HOME: home, HOME: root, ...extraEnv } };
}
