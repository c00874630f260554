// Contract diffs: texts in, classified changes out. Pure: no git, no files, no clock beyond
// measuring its own time; parsers only parse, nothing from the repository is executed. Each
// format's library is imported the first time a file of that format is diffed, so code that
// never diffs (the commit path, the hooks) never loads them.
import { contractFormatOf } from './detect.js';
import { digestOf, sortChanges, truncateBytes, DIGEST_MAX_BYTES } from './digest.js';
import type { ContractBudget, ContractChange, ContractDiff, ContractDiffInput, ContractFormat, FormatComparer } from './types.js';

export { contractFormatOf } from './detect.js';
export { DIGEST_MAX_BYTES, digestOf } from './digest.js';
export type * from './types.js';

/** Defaults for `ContractDiffInput.budget`. */
export const DEFAULT_BUDGET: ContractBudget = { maxBytes: 2 * 1024 * 1024, maxMs: 2000 };

const loaders: Record<ContractFormat, () => Promise<FormatComparer>> = {
  openapi: () => import('./formats/openapi.js').then((m) => m.openapi),
  swagger: () => import('./formats/openapi.js').then((m) => m.swagger),
  asyncapi: () => import('./formats/openapi.js').then((m) => m.asyncapi),
  jsonschema: () => import('./formats/openapi.js').then((m) => m.jsonschema),
  graphql: () => import('./formats/graphql.js').then((m) => m.graphql),
  protobuf: () => import('./formats/protobuf.js').then((m) => m.protobuf),
  prisma: () => import('./formats/prisma.js').then((m) => m.prisma),
  sql: () => import('./formats/sql.js').then((m) => m.sql),
  typescript: () => import('./formats/typescript.js').then((m) => m.typescript),
};

/**
 * Compares the contract in `input.path` before and after a change.
 *
 * Never throws and never rejects: a file of no known format, one larger than
 * `budget.maxBytes` (refused before parsing), one that does not parse, or one that runs past
 * `budget.maxMs` gives a result with `notCompared` set to the reason and no changes. A
 * deletion (`after: null`) of a known format is one breaking change; a new file is compared
 * against nothing (its content counts as added; SQL migrations are classified statement by
 * statement).
 */
export async function diffContract(input: ContractDiffInput): Promise<ContractDiff> {
  const started = performance.now();
  const budget = { ...DEFAULT_BUDGET, ...input.budget };
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
  let format: ContractFormat | null = null;
  const refuse = (reason: string): ContractDiff => ({
    format,
    changes: [],
    digest: truncateBytes(`contract not compared: ${reason}`, DIGEST_MAX_BYTES),
    breaking: false,
    notCompared: reason,
    ms: elapsed(),
  });
  const done = (found: ContractChange[]): ContractDiff => {
    const changes = sortChanges(found);
    return { format, changes, digest: digestOf(changes), breaking: changes.some((c) => c.severity === 'breaking'), ms: elapsed() };
  };
  try {
    // Size first, on the string lengths (UTF-16 units ≤ UTF-8 bytes ≤ 3 × units): no parse,
    // and for big texts no byte count either.
    for (const side of [input.before, input.after]) {
      if (side === null || side === undefined) continue;
      const bytes = side.length * 3 <= budget.maxBytes ? side.length : Buffer.byteLength(side);
      if (bytes > budget.maxBytes) {
        format = contractFormatOf(input.path, side);
        return refuse(`${formatBytes(bytes)} is over the ${formatBytes(budget.maxBytes)} limit`);
      }
    }
    format = contractFormatOf(input.path, input.after ?? input.before);
    if (!format) return refuse('not a contract format we know');
    if (input.before === null && input.after === null) return refuse('no text on either side');
    if (input.before === input.after) return { format, changes: [], digest: 'no contract change', breaking: false, ms: elapsed() };

    if (input.after === null) {
      // A removed contract: every consumer of it loses it. A removed migration file changes no
      // database that already ran it, but is worth a look.
      const sql = format === 'sql';
      return done([{
        severity: sql ? 'dangerous' : 'breaking',
        kind: 'file-removed',
        where: input.path,
        message: `${input.path} removed`,
      }]);
    }

    const comparer = await loaders[format]();
    // The budget is the file's: loading a format's library, once per process, is not counted.
    const budgetStart = performance.now();
    const overTime = () => performance.now() - budgetStart > budget.maxMs;
    const parse = (text: string | null, side: string): unknown => {
      if (text === null) return null;
      try {
        return comparer.parse(text, input.path);
      } catch (error) {
        throw new NotCompared(`the ${side} version does not parse: ${firstLine(error)}`);
      }
    };
    const before = parse(input.before, 'old');
    if (overTime()) return refuse(`over the ${budget.maxMs} ms budget while parsing`);
    const after = parse(input.after, 'new');
    if (overTime()) return refuse(`over the ${budget.maxMs} ms budget while parsing`);
    if (before === null && format !== 'sql') {
      // A new contract file: nothing consumed it before. (A new migration file is the change
      // itself, and its statements are classified.)
      return done([{ severity: 'safe', kind: 'file-added', where: input.path, message: `${input.path} added` }]);
    }
    const changes = await comparer.compare(before, after, {
      path: input.path,
      format,
      exportsNames: new Set(input.exportsNames ?? []),
    });
    if (overTime()) return refuse(`over the ${budget.maxMs} ms budget while comparing`);
    return done(changes);
  } catch (error) {
    if (error instanceof NotCompared) return refuse(error.message);
    return refuse(`comparison failed: ${firstLine(error)}`);
  }
}

/** A reason to stop comparing, carried out of a parser or comparer. */
export class NotCompared extends Error {}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return truncateBytes((text.split('\n').find((l) => l.trim()) ?? 'unknown error').trim(), 200);
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}
