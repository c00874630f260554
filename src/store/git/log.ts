// Bulk history reads with one `git log`: what a cold reader needs to catch up on thousands of
// records, where one round trip per commit through cat-file would take seconds.
import { decodeChecked, type StoredCommit } from '../commits.js';
import { StoreError } from '../errors.js';
import { spawnGit } from './run.js';

import type { LogOptions } from '../types.js';

/**
 * Streams every commit reachable from `include` and not from `exclude` to `onCommit`, newest
 * first unless asked otherwise; nothing is held beyond one commit, so memory stays flat.
 * `onCommit` returning false ends the stream (git is stopped); resolves with the count delivered.
 */
export function logCommits(gitDir: string, include: string[], options: LogOptions, onCommit: (commit: StoredCommit) => boolean | void): Promise<number> {
  if (include.length === 0) return Promise.resolve(0);
  const args = ['log', '-z', '--format=%H %P%n%ct %S%n%B', '--stdin'];
  if (options.oldestFirst) args.push('--date-order', '--reverse');
  if (options.notBefore !== undefined && Number.isFinite(options.notBefore)) args.push(`--since=${new Date(options.notBefore).toISOString()}`);
  return new Promise((resolve, reject) => {
    const child = spawnGit({ gitDir }, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let pending = '';
    let count = 0;
    let stderr = '';
    let stopped = false;
    const emit = (entry: string) => {
      if (!entry || stopped) return;
      const firstLine = entry.indexOf('\n');
      const secondLine = entry.indexOf('\n', firstLine + 1);
      const [sha, ...parents] = entry.slice(0, firstLine).split(' ');
      const [seconds, source] = entry.slice(firstLine + 1, secondLine).split(' ');
      const time = Number(seconds) * 1000;
      const message = entry.slice(secondLine + 1);
      const commit = { sha: sha!, tree: '', parents: parents.filter(Boolean), time, message } as StoredCommit;
      if (source) commit.source = source;
      if (!options.lazy) {
        // At once: a reader that keeps every commit (the cold read) keeps only the records.
        const checked = decodeChecked(message);
        if ('record' in checked) commit.record = checked.record;
        else commit.problem = checked.problem;
      } else {
        // Decoded (parsed and checked) when first asked for: a reader that stops early, or leaves
        // commits out by their clock, does not pay for the rest.
        let decoded: ReturnType<typeof decodeChecked> | undefined;
        const decode = () => (decoded ??= decodeChecked(message));
        Object.defineProperties(commit, {
          record: { enumerable: true, configurable: true, get: () => { const d = decode(); return 'record' in d ? d.record : undefined; } },
          problem: { enumerable: true, configurable: true, get: () => { const d = decode(); return 'problem' in d ? d.problem : undefined; } },
        });
      }
      count++;
      if (onCommit(commit) === false) {
        stopped = true;
        child.stdout!.destroy();
        child.kill();
        resolve(count);
      }
    };
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      pending += chunk;
      let from = 0;
      let at: number;
      while (!stopped && (at = pending.indexOf('\0', from)) >= 0) {
        emit(pending.slice(from, at));
        from = at + 1;
      }
      pending = pending.slice(from);
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => reject(new StoreError('GIT_FAILED', `git log failed to start: ${error.message}`)));
    child.on('close', (code) => {
      if (stopped) return;
      if (code !== 0) return reject(new StoreError('GIT_FAILED', `git log failed (exit ${code}): ${stderr.trim()}`));
      emit(pending);
      resolve(count);
    });
    // Revisions on stdin: no limit on how many refs a repo may hold. A reader that stopped early
    // may have killed git before it read them all: that broken pipe is no error.
    child.stdin!.on('error', () => {});
    child.stdin!.end(`${include.join('\n')}\n${(options.exclude ?? []).map((sha) => `^${sha}`).join('\n')}\n`);
  });
}
