// The topology as files and history: topology.yml is the user's source of truth, and every
// change to it is also one commit on the coordination repo's topology ref.
// Never prints: anything worth telling the user comes back as `notices`.
import { OrchestratorError } from '../core/errors.js';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { HomePaths } from '../config/home.js';
import { expandTilde } from '../config/home.js';
import { RECORD_VERSION, type TopologyChanged } from '../core/records.js';
import { nextClock } from '../core/record-schema.js';
import type { Topology } from '../core/types.js';
import { type CoordinationStore, StaleRefError, StoreError, TOPOLOGY_REF } from '../store/index.js';
import { EMPTY_TOPOLOGY } from '../topology/empty.js';
import { formatProblem, parseTopology, TOPOLOGY_READ_BYTES, type ParseResult, type Problem } from '../topology/parse.js';
import { UserError } from './errors.js';
import { acquireFileLock, readFileHead, writeFileAtomic, type HeldLock } from '../config/files.js';

export interface TopologyServiceOptions {
  paths: HomePaths;
  store: CoordinationStore;
  now: () => number;
  env: NodeJS.ProcessEnv;
  /** How long `edit` waits for the lock before giving up (default 10 s). */
  lockTimeoutMs?: number;
  /** A lock older than this is stale and may be broken (default 30 s). */
  staleLockMs?: number;
}

export interface LoadedTopology {
  topology: Topology | null;
  errors: Problem[];
  warnings: Problem[];
  text: string;
  /** `file`: topology.yml; `repo`: restored from the coordination repo; `default`: neither exists. */
  source: 'file' | 'repo' | 'default';
  /** Things the user may want to know (a hand edit recorded, a stale lock broken...). */
  notices: string[];
}

export interface EditResult {
  text: string;
  /** The topology commit now at the tip; null when nothing was ever committed. */
  sha: string | null;
  /** False when the edit changed nothing (no commit, no write). */
  changed: boolean;
  /** Validation warnings of the new text (missing paths...). */
  warnings: Problem[];
  notices: string[];
}

/** The edit would leave the topology invalid; `problems` lists every error. */
export class TopologyInvalidError extends UserError {
  constructor(readonly problems: Problem[], what: string) {
    super(
      'TOPOLOGY_INVALID',
      `${what} has ${problems.length} error${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`,
      'fix topology.yml first (claude-orchestrator validate lists every problem; claude-orchestrator config-path shows where it is)',
    );
  }
}

export class TopologyLockedError extends OrchestratorError {
  constructor(readonly lockFile: string, readonly holder: string, hint: string) {
    super('TOPOLOGY_LOCKED', `the topology is locked by ${holder}`, hint, { lockFile, holder });
  }
}

const HAND_EDIT_ACTION = 'edited by hand';
const COMMIT_ATTEMPTS = 8;

export class TopologyService {
  private readonly lockTimeoutMs: number;
  private readonly staleLockMs: number;

  constructor(private readonly options: TopologyServiceOptions) {
    this.lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
    this.staleLockMs = options.staleLockMs ?? 30_000;
  }

  get file(): string {
    return this.options.paths.topologyFile;
  }

  get lockFile(): string {
    return `${this.file}.lock`;
  }

  /** Parses and validates `text`, checking member paths on this machine. */
  validate(text: string): ParseResult {
    return parseTopology(text, {
      expandPath: (p) => expandTilde(p, this.options.env),
      pathExists: (p) => existsSync(p),
      isGitRepo: (p) => isGitWorkTree(p),
    });
  }

  /** Whether a topology exists as a file and in the coordination repo. */
  async exists(): Promise<{ file: boolean; recorded: boolean }> {
    const recorded = (await this.options.store.readRef(TOPOLOGY_REF).catch(() => null)) !== null;
    return { file: existsSync(this.file), recorded };
  }

  /**
   * The topology as this machine has it: topology.yml validated (`source: 'file'`); the
   * recorded one written out when the file is missing (`'repo'`); else the empty default.
   * Records nothing: a hand edit is recorded by the next `edit` or `recordHandEdit` (a sync).
   */
  async load(): Promise<LoadedTopology> {
    const notices: string[] = [];
    const fileText = await readText(this.file);
    const recorded = await this.readRecorded(notices);

    if (fileText === null) {
      if (recorded) {
        // The repo knows a topology this machine has no file for: write it out for the user.
        await writeIfAbsent(this.file, recorded.text);
        notices.push(`restored ${this.file} from the coordination repo`);
        return { ...this.validate(recorded.text), text: recorded.text, source: 'repo', notices };
      }
      return { ...this.validate(EMPTY_TOPOLOGY), text: EMPTY_TOPOLOGY, source: 'default', notices };
    }

    // A hand edit is not recorded here: reading never writes a record. The next edit or sync
    // records it first (recordHandEdit), so it is shared and in the history from then on.
    return { ...this.validate(fileText), text: fileText, source: 'file', notices };
  }

  /**
   * Read-modify-write of topology.yml under an inter-process lock: `change` gets the current text
   * and returns the new one; the result is validated, committed, then written to the file.
   */
  async edit(action: string, change: (text: string) => string, options: { group?: string } = {}): Promise<EditResult> {
    // Start the store's reader and fill its clock cache before queueing for the lock, so the
    // time spent holding it (and every other writer's wait) is only the edit itself.
    await this.options.store.maxClock();
    const lock = await this.acquireLock(this.lockTimeoutMs);
    const notices = [...lock.notices];
    try {
      const fileText = await readText(this.file);
      let recorded = await this.readRecorded(notices);
      // A hand edit gets its own commit before this change, so the history says who did what.
      if (fileText !== null && recorded?.text !== fileText && this.validate(fileText).errors.length === 0) {
        const sha = await this.options.store.commitTopology(fileText, await this.record(HAND_EDIT_ACTION), recorded?.sha ?? null);
        notices.push(`recorded the hand edit of ${this.file} in the coordination repo`);
        recorded = { sha, text: fileText };
      }
      // First attempt: the file (it may hold hand edits). After a lost race: what was committed.
      let base = fileText ?? recorded?.text ?? EMPTY_TOPOLOGY;
      for (let attempt = 0; ; attempt++) {
        const text = change(base);
        if (text === base) {
          if (fileText === null && recorded) await writeIfAbsent(this.file, recorded.text);
          return { text, sha: recorded?.sha ?? null, changed: false, warnings: this.validate(text).warnings, notices };
        }
        const checked = this.validate(text);
        if (checked.errors.length > 0) throw new TopologyInvalidError(checked.errors, 'the topology after this change');
        try {
          const sha = await this.options.store.commitTopology(text, await this.record(action, options.group), recorded?.sha ?? null);
          await writeAtomic(this.file, text);
          return { text, sha, changed: true, warnings: checked.warnings, notices };
        } catch (error) {
          if (!(error instanceof StaleRefError) || attempt >= COMMIT_ATTEMPTS) throw error;
          recorded = await this.readRecorded(notices);
          base = recorded?.text ?? EMPTY_TOPOLOGY;
        }
      }
    } finally {
      await lock.release();
    }
  }

  private async record(action: string, group = '*'): Promise<TopologyChanged> {
    return {
      v: RECORD_VERSION,
      kind: 'topology',
      id: randomBytes(8).toString('hex'),
      group,
      role: 'topology',
      at: this.options.now(),
      clock: nextClock(await this.options.store.maxClock()),
      action,
    };
  }

  private async readRecorded(notices: string[]): Promise<{ sha: string; text: string } | null> {
    try {
      return await this.options.store.readTopology();
    } catch (error) {
      if (error instanceof StoreError && error.code === 'MISSING_TOPOLOGY_FILE') {
        notices.push(error.message);
        return null;
      }
      throw error;
    }
  }

  /**
   * Commits topology.yml as it is now when it differs from the recorded topology and is valid (a
   * hand edit), so it is shared and in the history; never waits long for the lock (someone
   * editing right now records it). Called before a sync merges. Returns notices (what was done,
   * a broken stale lock); the file's errors are the caller's to report (`load`).
   */
  async recordHandEdit(): Promise<string[]> {
    const notices: string[] = [];
    let lock: Awaited<ReturnType<TopologyService['acquireLock']>>;
    try {
      lock = await this.acquireLock(1_000);
    } catch {
      return notices; // Someone is editing right now: that edit records it.
    }
    notices.push(...lock.notices);
    try {
      const fileText = await readText(this.file);
      const recorded = await this.readRecorded(notices);
      if (fileText === null || recorded?.text === fileText) return notices;
      if (this.validate(fileText).errors.length > 0) return notices;
      await this.options.store.commitTopology(fileText, await this.record(HAND_EDIT_ACTION), recorded?.sha ?? null);
      notices.push(`recorded the hand edit of ${this.file} in the coordination repo`);
    } catch (error) {
      if (!(error instanceof StaleRefError)) throw error;
    } finally {
      await lock.release();
    }
    return notices;
  }

  /**
   * `topology.yml.lock` (src/config/files.ts): a lock whose process is gone (same host) or that
   * is older than the stale limit is broken, and a notice says so.
   */
  private async acquireLock(timeoutMs: number): Promise<HeldLock> {
    const file = this.lockFile;
    const attempt = await acquireFileLock(file, { timeoutMs, staleMs: this.staleLockMs, what: 'the topology' });
    if ('busy' in attempt) {
      throw new TopologyLockedError(file, attempt.busy, `wait and retry; if no claude-orchestrator command is running, delete ${file}`);
    }
    return attempt.held;
  }
}

function isGitWorkTree(path: string): boolean {
  // `.git` is a directory in a clone and a file in a linked worktree or submodule.
  return existsSync(join(path, '.git')) || (existsSync(join(path, 'HEAD')) && existsSync(join(path, 'objects')));
}

/** topology.yml, read no further than a valid topology can be (a huge file is refused by size, not read whole). */
async function readText(file: string): Promise<string | null> {
  try {
    return readFileHead(file, TOPOLOGY_READ_BYTES);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function tempName(file: string): string {
  return `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

/** THE atomic write (src/config/files.ts): readers see the old text or the new one, never half of it. */
async function writeAtomic(file: string, text: string): Promise<void> {
  writeFileAtomic(file, text);
}

/** Like writeAtomic, but leaves a file that appeared meanwhile alone. */
async function writeIfAbsent(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = tempName(file);
  await writeFile(temp, text, { flag: 'wx' });
  try {
    await link(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}
