// Runs the built CLI (dist/cli/main.js) as a user would, against a throwaway home.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from './tmp.js';

export const CLI = resolve('dist/cli/main.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliHome {
  /** $HOME for the CLI (member repos live under ~/repos). */
  home: string;
  /** CLAUDE_ORCHESTRATOR_HOME. */
  orchestratorHome: string;
  env: NodeJS.ProcessEnv;
  topologyFile: string;
  repoGitDir: string;
  /** Creates ~/repos/<name> as a git repo and returns its path. */
  repo(name: string): string;
}

export function cliHome(): CliHome {
  const home = tempDir('orchestrator-cli-home-');
  const orchestratorHome = join(home, '.orchestrator');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    CLAUDE_ORCHESTRATOR_HOME: orchestratorHome,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
  };
  return {
    home,
    orchestratorHome,
    env,
    topologyFile: join(orchestratorHome, 'topology.yml'),
    repoGitDir: join(orchestratorHome, 'coordination.git'),
    repo(name) {
      const path = join(home, 'repos', name);
      mkdirSync(path, { recursive: true });
      execFileSync('git', ['init', '-q', path], { env });
      return path;
    },
  };
}

export function runCli(args: string[], env: NodeJS.ProcessEnv, cwd?: string): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], { env, cwd, encoding: 'utf8' });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export function runCliAsync(args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
  });
}

export function gitIn(gitDir: string, args: string[]): string {
  return execFileSync('git', [`--git-dir=${gitDir}`, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
