// The shapes of a contract diff. Pure data: JSON-safe, so a record can carry them as they are.

/** Formats we can compare. `typescript` covers `.ts`, `.tsx`, `.mts`, `.cts` and their `.d.ts`. */
export type ContractFormat =
  | 'openapi'
  | 'swagger'
  | 'asyncapi'
  | 'jsonschema'
  | 'graphql'
  | 'protobuf'
  | 'prisma'
  | 'sql'
  | 'typescript';

/**
 * How a change affects the contract's consumers:
 * - `breaking`: a consumer built against the old contract can fail against the new one;
 * - `dangerous`: compatible as written, but can change behaviour (a new enum value, a default);
 * - `safe`: additions and annotations no existing consumer can notice.
 * The rules per format, with their sources, are in docs/change-detection.md ("Contract diffs").
 */
export type Severity = 'breaking' | 'dangerous' | 'safe';

/** One classified change. */
export interface ContractChange {
  severity: Severity;
  /** Stable, format-specific kind, e.g. `operation-removed`, `FIELD_TYPE_CHANGED`, `member-added`. */
  kind: string;
  /** Where in the contract: `User.refreshToken`, `DELETE /v1/login`, `users.legacy`. */
  where: string;
  /** One short line for people, e.g. `+refreshToken String?` or `DELETE /v1/login removed`. */
  message: string;
  /** Set when the change touches a name listed in the input's `exportsNames`. */
  exportName?: string;
  /** The same change as another one, seen where a `$ref` uses it: kept here, left out of the digest. */
  repeat?: boolean;
}

/** Limits for one file. Sizes are UTF-8 bytes of the larger side; time is wall-clock. */
export interface ContractBudget {
  /** Refuse (before parsing) a side larger than this. Default 2 MiB. */
  maxBytes: number;
  /**
   * Give up when a phase (parse before, parse after, compare) ends past this many ms from the
   * start. Checked between phases: a single parse is not interrupted (run the diff in a worker
   * for a hard limit). Loading a format's library (once per process) is not counted.
   * Default 2,000 ms.
   */
  maxMs: number;
}

export interface ContractDiffInput {
  /** Repository-relative path of the file (after the change; before it for a deletion). */
  path: string;
  /** Text before the change; `null` when the file is new. */
  before: string | null;
  /** Text after the change; `null` when the file was deleted. */
  after: string | null;
  /** Type names the member exports (topology `exports`): such changes are marked and listed first. */
  exportsNames?: string[];
  budget?: Partial<ContractBudget>;
}

export interface ContractDiff {
  /** The format compared, or `null` when none was recognised. */
  format: ContractFormat | null;
  /** Every change found, breaking first. Empty when nothing was compared. */
  changes: ContractChange[];
  /**
   * A compact line for an update, at most `DIGEST_MAX_BYTES` bytes:
   * `User: +refreshToken String? (safe); DELETE /v1/login removed (breaking)`, or
   * `contract not compared: <reason>`.
   */
  digest: string;
  /** True when at least one change is breaking. */
  breaking: boolean;
  /** Why the file was not compared (unknown format, too large, does not parse, out of time). */
  notCompared?: string;
  /** Wall-clock ms the diff took. */
  ms: number;
}

/** What every format's module exports. Texts are never executed, only parsed. */
export interface FormatComparer {
  /** Parse one side; throws with a short message when the text does not parse. */
  parse(text: string, path: string): unknown;
  /** Compare two parsed sides (`null` = absent). */
  compare(before: unknown, after: unknown, context: CompareContext): ContractChange[] | Promise<ContractChange[]>;
}

export interface CompareContext {
  path: string;
  format: ContractFormat;
  exportsNames: ReadonlySet<string>;
}
