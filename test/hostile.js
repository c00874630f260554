#!/usr/bin/env node
// Runs tests under a hostile developer environment, to check they do not depend on it:
// exported git identities and GIT_DIR-style variables, XDG_CONFIG_HOME, CLAUDE_* variables, and
// a global (and "system") git config with core.hooksPath, init.defaultBranch=trunk,
// core.autocrlf=true, commit.gpgSign=true, gc.pruneExpire=now, user.useConfigOnly=true...
//
//   node test/hostile.js                 a sample of the suite (SAMPLE below)
//   node test/hostile.js <pattern>       the test files matching a regex (test/run.js's argument)
//   node test/hostile.js -- <command...> any command, e.g. `-- npm test` (what .ci/run does)
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SAMPLE = '^(hooks\\.ingest|hooks\\.install|cli\\.|mcp\\.workflow|remote\\.sync|status\\.|log\\.|readme\\.|env\\.)';

const dir = mkdtempSync(join(tmpdir(), 'orchestrator-hostile-'));
const home = join(dir, 'home');
const hooks = join(dir, 'hooks');
const xdg = join(dir, 'xdg');
mkdirSync(home, { recursive: true });
mkdirSync(hooks, { recursive: true });
mkdirSync(join(xdg, 'git'), { recursive: true });
mkdirSync(join(xdg, 'claude-orchestrator'), { recursive: true });
for (const hook of ['pre-commit', 'commit-msg', 'post-commit', 'pre-push', 'post-checkout']) {
  writeFileSync(join(hooks, hook), '#!/bin/sh\necho "hostile hook $0 ran" >&2\nexit 1\n');
  chmodSync(join(hooks, hook), 0o755);
}
const gitconfig = [
  '[core]',
  `\thooksPath = ${hooks}`,
  '\tautocrlf = true',
  '\tfileMode = false',
  '[init]',
  '\tdefaultBranch = trunk',
  '[commit]',
  '\tgpgSign = true',
  '[tag]',
  '\tgpgSign = true',
  '[gpg]',
  '\tprogram = false',
  '[gc]',
  '\tpruneExpire = now',
  '\tauto = 1',
  '[user]',
  '\tuseConfigOnly = true',
  '[pull]',
  '\trebase = true',
  '[push]',
  '\tdefault = nothing',
  '[fetch]',
  '\tprune = true',
  '[advice]',
  '\tdetachedHead = true',
  '',
].join('\n');
writeFileSync(join(home, '.gitconfig'), gitconfig);
writeFileSync(join(xdg, 'git', 'config'), gitconfig);
writeFileSync(join(dir, 'system-gitconfig'), gitconfig);
writeFileSync(join(xdg, 'claude-orchestrator', 'topology.yml'), 'this: [is not a topology\n');

const hostile = {
  HOME: home,
  XDG_CONFIG_HOME: xdg,
  XDG_DATA_HOME: join(dir, 'xdg-data'),
  XDG_STATE_HOME: join(dir, 'xdg-state'),
  GIT_CONFIG_SYSTEM: join(dir, 'system-gitconfig'),
  GIT_AUTHOR_NAME: 'Hostile Author',
  GIT_AUTHOR_EMAIL: 'author@hostile.invalid',
  GIT_AUTHOR_DATE: '2001-01-01T00:00:00Z',
  GIT_COMMITTER_NAME: 'Hostile Committer',
  GIT_COMMITTER_EMAIL: 'committer@hostile.invalid',
  GIT_COMMITTER_DATE: '2001-01-01T00:00:00Z',
  GIT_DIR: join(dir, 'not-a-repo.git'),
  GIT_WORK_TREE: join(dir, 'not-a-worktree'),
  GIT_INDEX_FILE: join(dir, 'not-an-index'),
  GIT_OBJECT_DIRECTORY: join(dir, 'not-objects'),
  GIT_CEILING_DIRECTORIES: '/',
  GIT_TEMPLATE_DIR: join(dir, 'no-templates'),
  CLAUDE_ORCHESTRATOR_HOME: join(dir, 'not-the-orchestrator-home'),
  CLAUDE_ORCHESTRATOR_DEBUG: '1',
  CLAUDE_ORCHESTRATOR_RETENTION_DAYS: '1',
  CLAUDE_ORCHESTRATOR_SYNC_INTERVAL_MS: '1',
  CLAUDE_PROJECT_DIR: join(dir, 'a-claude-project'),
  CLAUDE_CODE_SESSION_ID: 'hostile-session',
  CLAUDECODE: '1',
};

const args = process.argv.slice(2);
const command = args[0] === '--' ? args.slice(1) : [process.execPath, join(root, 'test', 'run.js'), args[0] ?? SAMPLE];
console.log(`hostile environment in ${dir}: ${command.join(' ')}`);
const result = spawnSync(command[0], command.slice(1), { cwd: root, stdio: 'inherit', env: { ...process.env, ...hostile } });
rmSync(dir, { recursive: true, force: true });
process.exitCode = result.status ?? 1;
