// The contract step of a change event: which of its files are contracts, their texts before and
// after (read from the member repo with sizes checked first), their diffs (src/contracts, in a
// worker with a hard time limit: src/app/contract-runner.ts), and what that means for the event:
// `breaking_change` when a diff finds a breaking change, the exported names touched, and the
// other members whose code mentions them (marked as consumers, and told).
import { classifyFiles, isBreakingMessage } from '../core/classify.js';
import {
  MAX_CONTRACT_CHANGES_PER_FILE, MAX_CONTRACT_FILES, type ContractChangeRecord, type ContractFileReport, type ContractReport,
} from '../core/records.js';
import { route, type Route } from '../core/routing.js';
import { CHANGE_TYPES, type ChangeType, type Group, type Member, type Priority, type RouteTarget } from '../core/types.js';
import { contractFormatOf, DEFAULT_BUDGET, DIGEST_MAX_BYTES, type ContractDiff } from '../contracts/index.js';
import { truncateBytes } from '../contracts/digest.js';
import { changedPaths, findGitDirs, headCommit, namesMentioned, readBlobsAt, readWorktreeFile, type BlobRead, type ChangedPath } from '../store/index.js';
import { contractRunner } from './contract-runner.js';

/** Time all of one event's contract diffs may take together (ms); later files are not compared. */
export const CONTRACT_EVENT_BUDGET_MS = 20_000;
/** YAML/JSON files of one change read to see whether they declare a contract format. */
const MAX_SNIFFED = 10;
/** Characters of a change's `where` and `message` kept in a record. */
const MAX_CHANGE_TEXT = 200;

const KNOWN_EXT = /\.(graphqls?|gql|proto|prisma|sql|ya?ml|json|[mc]?tsx?)$/i;
const TS_EXT = /\.([mc]?tsx?)$/i;
const DOC_EXT = /\.(ya?ml|json)$/i;
const TEST_FILE = /(^|\/)(__tests__|__mocks__)\/|\.(test|spec)\.[mc]?tsx?$/i;

/** What the contract step found for one change, before it is settled against the event's types. */
export type ContractFindings = Omit<ContractReport, 'breakingFrom' | 'claimUnconfirmed'>;

/** A contract file to compare: its path(s) and texts (null: absent on that side). */
interface Pair {
  change: ChangedPath;
  before: BlobRead;
  after: BlobRead;
}

/**
 * Contract findings for commits of a member repo (each against its first parent), by SHA.
 * Commits with no contract file have no entry. Never throws: a read or diff that fails leaves
 * the file "not compared" with the reason. Results are cached per (group, role, commit).
 */
export async function contractsOfCommits(
  commonDir: string,
  group: Group,
  member: Member,
  commits: ReadonlyArray<{ sha: string; files: readonly string[] }>,
): Promise<Map<string, ContractFindings>> {
  const out = new Map<string, ContractFindings>();
  for (const commit of commits) {
    const key = `${group.name}\0${member.role}\0${commit.sha}`;
    let found = cache.get(key);
    if (found === undefined) {
      try {
        found = await contractsOfCommit(commonDir, group, member, commit);
      } catch {
        found = null; // A member read failing is no reason to hold the event back.
      }
      remember(key, found);
    }
    if (found) out.set(commit.sha, found);
  }
  return out;
}

async function contractsOfCommit(commonDir: string, group: Group, member: Member, commit: { sha: string; files: readonly string[] }): Promise<ContractFindings | null> {
  const candidates = commit.files.filter((f) => KNOWN_EXT.test(f) && !TEST_FILE.test(f));
  if (candidates.length === 0) return null;
  const { parent, changes } = await changedPaths(commonDir, commit.sha, candidates);
  if (changes.length === 0) return null;
  // Both sides of every file in one size check; an absent side is not asked for.
  const wanted: Array<{ rev: string; path: string }> = [];
  const at = (rev: string | null, path: string | null): number => (rev && path !== null ? wanted.push({ rev, path }) - 1 : -1);
  const slots = changes.map((c) => ({
    before: at(c.status === 'added' ? null : parent, c.oldPath ?? c.path),
    after: at(c.status === 'deleted' ? null : commit.sha, c.path),
  }));
  const texts = await readBlobsAt(commonDir, wanted, DEFAULT_BUDGET.maxBytes);
  const pairs: Pair[] = changes.map((change, i) => ({
    change,
    before: slots[i]!.before < 0 ? MISSING : texts[slots[i]!.before]!,
    after: slots[i]!.after < 0 ? MISSING : texts[slots[i]!.after]!,
  }));
  return findings(group, member, pairs, 'commit', parent ?? undefined);
}

/**
 * Contract findings for files of a worktree (an explicit notify with files): the working tree
 * against HEAD; when none of the files differs from HEAD (they were committed already), HEAD
 * against its first parent. Null when no file is a contract or the repo cannot be read.
 */
export async function contractsOfWorktree(repoRoot: string, group: Group, member: Member, files: readonly string[]): Promise<ContractFindings | null> {
  const candidates = [...new Set(files)].filter((f) => KNOWN_EXT.test(f) && !TEST_FILE.test(f) && !f.startsWith('/') && !f.split('/').includes('..'));
  if (candidates.length === 0) return null;
  const dirs = findGitDirs(repoRoot);
  if (!dirs) return null;
  try {
    const head = await headCommit(repoRoot);
    const maxBytes = DEFAULT_BUDGET.maxBytes;
    const before = head ? await readBlobsAt(dirs.commonDir, candidates.map((path) => ({ rev: head, path })), maxBytes) : candidates.map(() => MISSING);
    const pairs: Pair[] = [];
    candidates.forEach((path, i) => {
      const after = readWorktreeFile(repoRoot, path, maxBytes);
      const old = before[i]!;
      if (old.state === 'missing' && after.state === 'missing') return;
      if (old.state === 'text' && after.state === 'text' && old.text === after.text) return;
      const status = old.state === 'missing' ? 'added' : after.state === 'missing' ? 'deleted' : 'modified';
      pairs.push({ change: { status, path }, before: old, after });
    });
    if (pairs.length === 0 && head) return await contractsOfCommit(dirs.commonDir, group, member, { sha: head, files: candidates });
    return await findings(group, member, pairs, 'working-tree', head ?? undefined);
  } catch {
    return null;
  }
}

const MISSING: BlobRead = { state: 'missing' };

/** Which pairs are contracts, their diffs, the names they touch and who uses those names. */
async function findings(group: Group, member: Member, all: Pair[], compared: ContractReport['compared'], base: string | undefined): Promise<ContractFindings | null> {
  const exportsNames = member.exports ?? [];
  const sniff = { left: MAX_SNIFFED };
  const pairs = all.filter((p) => isContract(p, member, exportsNames, sniff));
  pairs.sort((a, b) => rank(a) - rank(b));
  if (pairs.length === 0) return null;
  const files: ContractFileReport[] = [];
  const started = Date.now();
  const runner = contractRunner();
  for (const pair of pairs.slice(0, MAX_CONTRACT_FILES)) {
    const path = pair.change.path;
    const tooLarge = [pair.before, pair.after].find((s): s is Extract<BlobRead, { state: 'too-large' }> => s.state === 'too-large');
    let diff: ContractDiff;
    if (tooLarge) {
      diff = refused(`${formatBytes(tooLarge.bytes)} is over the ${formatBytes(DEFAULT_BUDGET.maxBytes)} limit`);
    } else if (Date.now() - started > CONTRACT_EVENT_BUDGET_MS) {
      diff = refused(`the event's ${CONTRACT_EVENT_BUDGET_MS / 1000} s budget for contract diffs was used up`);
    } else {
      diff = await runner.diff({ path, before: textOf(pair.before), after: textOf(pair.after), exportsNames });
    }
    files.push(fileReport(pair, diff));
  }
  const exportsTouched = [...new Set(files.flatMap((f) => (f.changes ?? []).flatMap((c) => (c.exportName ? [c.exportName] : []))))];
  const consumers: Array<{ role: string; names: string[] }> = [];
  if (exportsTouched.length) {
    for (const other of group.members) {
      if (other.role === member.role) continue;
      const names = await namesMentioned(other.path, exportsTouched).catch(() => []);
      if (names.length) consumers.push({ role: other.role, names });
    }
  }
  return {
    digest: combinedDigest(files),
    breaking: files.some((f) => f.breaking),
    compared,
    ...(base ? { base } : {}),
    files,
    ...(pairs.length > MAX_CONTRACT_FILES ? { skipped: pairs.length - MAX_CONTRACT_FILES } : {}),
    ...(exportsTouched.length ? { exports: exportsTouched } : {}),
    ...(consumers.length ? { consumers } : {}),
  };

  function refused(reason: string): ContractDiff {
    return { format: null, changes: [], digest: `contract not compared: ${reason}`, breaking: false, notCompared: reason, ms: 0 };
  }
}

/** Files that are contracts: by name and content (YAML/JSON sniffed, at most MAX_SNIFFED per change); TypeScript only where it is the member's public types. */
function isContract(pair: Pair, member: Member, exportsNames: readonly string[], sniff: { left: number }): boolean {
  const path = pair.change.path;
  const text = textOf(pair.after) ?? textOf(pair.before);
  if (TS_EXT.test(path)) {
    // The member's type files (its type_definition_change patterns), its entry points, and any
    // file that mentions a name it exports.
    if (classifyFiles([path], member.patterns).includes('type_definition_change')) return true;
    if (/^(src\/)?index\.[mc]?tsx?$/.test(path)) return true;
    return text !== null && exportsNames.some((n) => new RegExp(`\\b${escapeRegExp(n)}\\b`).test(text));
  }
  if (DOC_EXT.test(path)) {
    if (contractFormatOf(path)) return true;
    if (sniff.left <= 0) return false;
    sniff.left--;
    return text !== null && contractFormatOf(path, text) !== null;
  }
  return contractFormatOf(path) !== null;
}

function rank(pair: Pair): number {
  // Schemas and APIs before TypeScript: they are the contracts most consumers read.
  return TS_EXT.test(pair.change.path) ? 1 : 0;
}

function textOf(read: BlobRead): string | null {
  return read.state === 'text' ? read.text : null;
}

function fileReport(pair: Pair, diff: ContractDiff): ContractFileReport {
  const path = pair.change.path;
  const format = diff.format ?? contractFormatOf(path, textOf(pair.after) ?? textOf(pair.before));
  const report: ContractFileReport = { path, format, breaking: diff.breaking, digest: diff.digest };
  if (pair.change.oldPath) report.oldPath = pair.change.oldPath;
  if (diff.notCompared) {
    report.notCompared = diff.notCompared;
    return report;
  }
  report.changes = diff.changes.slice(0, MAX_CONTRACT_CHANGES_PER_FILE).map((c) => {
    const out: ContractChangeRecord = { severity: c.severity, kind: cut(c.kind), where: cut(c.where), message: cut(c.message) };
    if (c.exportName) out.exportName = c.exportName;
    if (c.repeat) out.repeat = true;
    return out;
  });
  if (diff.changes.length > MAX_CONTRACT_CHANGES_PER_FILE) report.omitted = diff.changes.length - MAX_CONTRACT_CHANGES_PER_FILE;
  return report;
}

/** One file: its digest. Several: `path: digest` for each, breaking files first, within 400 bytes. */
function combinedDigest(files: ContractFileReport[]): string {
  if (files.length === 1) return files[0]!.digest;
  const order = [...files].sort((a, b) => Number(b.breaking) - Number(a.breaking) || Number(!!a.notCompared) - Number(!!b.notCompared));
  return truncateBytes(order.map((f) => `${f.path}: ${f.digest}`).join('; '), DIGEST_MAX_BYTES);
}

/**
 * The event's types and contract report once the findings are known: `breaking_change` is added
 * when a diff found a breaking change; `breakingFrom` says which of the diff, the message and the
 * member's patterns made it breaking; a message claiming breaking that the diff (having compared
 * every contract file) does not confirm keeps its type and is marked `claimUnconfirmed`, and the
 * digest says so.
 */
export function settleContract(
  types: readonly ChangeType[],
  findings: ContractFindings | undefined,
  claim: { message?: string; files?: readonly string[]; member?: Member },
): { types: ChangeType[]; contract?: ContractReport } {
  if (!findings) return { types: [...types] };
  const fromMessage = claim.message !== undefined ? isBreakingMessage(claim.message) : types.includes('breaking_change');
  const fromPatterns = !!claim.files && !!claim.member?.patterns?.breaking_change && classifyFiles(claim.files, claim.member.patterns).includes('breaking_change');
  const breakingFrom: ContractReport['breakingFrom'] = [];
  if (findings.breaking) breakingFrom.push('diff');
  if (fromMessage) breakingFrom.push('message');
  if (fromPatterns) breakingFrom.push('patterns');
  const set = new Set(types);
  if (findings.breaking) set.add('breaking_change');
  const contract: ContractReport = { ...findings, breakingFrom };
  const allCompared = findings.files.every((f) => !f.notCompared) && !findings.skipped;
  if (fromMessage && !findings.breaking && allCompared) {
    contract.claimUnconfirmed = true;
    contract.digest = truncateBytes(`the message says breaking; the contract diff found no breaking change. ${findings.digest}`, DIGEST_MAX_BYTES);
  }
  return { types: CHANGE_TYPES.filter((t) => set.has(t)), contract };
}

/**
 * `route()` plus the consumers: a member whose code mentions an exported name the change
 * touches is told even when no rule sends it the change, at the event's priority.
 */
export function routeWithConsumers(group: Group, fromRole: string, types: readonly ChangeType[], contract: ContractReport | undefined, request: { priority?: Priority } = {}): Route {
  const routed = route(group, { fromRole, types, ...(request.priority ? { priority: request.priority } : {}) });
  if (!contract?.consumers?.length) return routed;
  const targets: RouteTarget[] = [...routed.targets];
  for (const consumer of contract.consumers) {
    if (!targets.some((t) => t.role === consumer.role)) targets.push({ role: consumer.role, via: [], priority: routed.priority });
  }
  const order = group.members.map((m) => m.role);
  targets.sort((a, b) => order.indexOf(a.role) - order.indexOf(b.role));
  return { targets, priority: routed.priority };
}

const cache = new Map<string, ContractFindings | null>();
function remember(key: string, value: ContractFindings | null): void {
  cache.set(key, value);
  if (cache.size > 256) cache.delete(cache.keys().next().value!);
}

function cut(text: string): string {
  return text.length > MAX_CHANGE_TEXT ? `${text.slice(0, MAX_CHANGE_TEXT - 1)}…` : text;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}
