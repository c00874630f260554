// Preloaded into every test process (`node --import ./test/helpers/clean-env.mjs`), and imported by
// test/run.js before it starts them: the tests must not depend on the developer's environment.
//
// - removes every GIT_*, XDG_* and CLAUDE_* variable (identities, GIT_DIR-style overrides, config
//   folders, a Claude Code session's own variables);
// - points HOME, GIT_CONFIG_GLOBAL and GIT_CONFIG_NOSYSTEM at a clean temporary home whose git
//   config holds only a neutral identity, so a hostile ~/.gitconfig or /etc/gitconfig
//   (core.hooksPath, init.defaultBranch, core.autocrlf, commit.gpgSign, user.useConfigOnly...)
//   is never read;
// - keeps npm's cache where it was (under the real home), so nothing is downloaded twice.
//
// Children inherit process.env, so a test's git, CLI and server processes see the same clean
// environment. Idempotent: a process that already has the clean home keeps it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

const MARK = 'ORCHESTRATOR_TEST_CLEAN_HOME';

if (!process.env[MARK]) {
  const realHome = process.env.HOME || homedir();
  if (!process.env.npm_config_cache) process.env.npm_config_cache = join(realHome, '.npm');
  for (const name of Object.keys(process.env)) {
    if (/^(GIT_|XDG_|CLAUDE_)/.test(name)) delete process.env[name];
  }
  const home = mkdtempSync(join(tmpdir(), 'orchestrator-test-home-'));
  mkdirSync(join(home, '.config'), { recursive: true });
  const gitconfig = join(home, '.gitconfig');
  writeFileSync(gitconfig, '[user]\n\tname = Orchestrator Test\n\temail = test@orchestrator.invalid\n');
  process.env.HOME = home;
  process.env.GIT_CONFIG_GLOBAL = gitconfig;
  process.env.GIT_CONFIG_NOSYSTEM = '1';
  process.env[MARK] = home;
  process.on('exit', () => rmSync(home, { recursive: true, force: true, maxRetries: 3 }));
}
