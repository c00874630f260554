// The README's example set up as a new user would: three member repos under ~/repos in a temp
// HOME, `claude-orchestrator init` (the example topology) and `claude-orchestrator setup
// claude-code` (user scope), each run as the built CLI in an isolated environment.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isolatedEnv } from './claude-code.js';
import { tempDir } from './tmp.js';

export const CLI = resolve('dist/cli/main.js');

export interface ClaudeProject {
  /** The temp HOME (~/.claude.json, ~/.claude/, ~/.config/claude-orchestrator). */
  home: string;
  /** The member repos, as in the README: ~/repos/auth-service, api-gateway, frontend. */
  repos: { auth: string; gateway: string; frontend: string };
  /** The isolated environment (PATH, HOME, no GIT_*, XDG_*, CLAUDE_*). */
  env: Record<string, string>;
  /** Runs the built CLI with `args` in `cwd` (default: the frontend repo); returns stdout. */
  cli(args: string[], cwd?: string): string;
  /** Runs git in `cwd`. */
  git(cwd: string, args: string[]): string;
}

/** Creates the three repos, runs `init` and `setup claude-code`; `extraEnv` is added to env. */
export function makeClaudeProject(extraEnv: Record<string, string> = {}): ClaudeProject {
  const home = tempDir('orchestrator-claude-');
  const env = isolatedEnv(home, extraEnv);
  const git = (cwd: string, args: string[]): string => execFileSync('git', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const cli = (args: string[], cwd = repos.frontend): string => execFileSync(process.execPath, [CLI, ...args], { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const repo = (name: string): string => {
    const path = join(home, 'repos', name);
    mkdirSync(path, { recursive: true });
    git(path, ['init', '-q', '-b', 'main']);
    git(path, ['config', 'user.email', 'dev@example.com']);
    git(path, ['config', 'user.name', 'Dev']);
    writeFileSync(join(path, 'README.md'), `# ${name}\n`);
    git(path, ['add', '.']);
    git(path, ['commit', '-q', '-m', 'initial']);
    return path;
  };
  const repos = { auth: repo('auth-service'), gateway: repo('api-gateway'), frontend: repo('frontend') };
  cli(['init'], home);
  cli(['setup', 'claude-code'], home);
  return { home, repos, env, cli, git };
}
