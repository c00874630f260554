// Change types from the files a change touches and, for commits, from the message.
import { matchesAny } from './glob.js';
import { CHANGE_TYPES } from './types.js';
import type { ChangeType } from './types.js';

/** Types a file can be classified as by its path. */
export type FileChangeType = Exclude<ChangeType, 'breaking_change' | 'any_change'>;

/** Per-type glob patterns, for common ecosystems. Syntax: see glob.ts. */
export const DEFAULT_PATTERNS: Readonly<Record<FileChangeType, readonly string[]>> = {
  schema_change: [
    '**/migrations/**', '*.sql',
    '*.prisma',
    '*.graphql', '*.graphqls', '*.gql',
    '*.proto',
    'openapi.{yaml,yml,json}', 'swagger.{yaml,yml,json}',
    '*.avsc', '*.schema.json',
  ],
  api_endpoint_change: [
    '**/routes/**', '**/controllers/**', '**/handlers/**', '**/api/**', '**/endpoints/**',
    '*.routes.*', '*.route.*', '*.controller.*', '*.handler.*', '*.resolver.*',
    'route.{ts,js,mjs}', 'urls.py', 'views.py',
  ],
  type_definition_change: [
    '*.d.ts', '*.d.mts', '*.d.cts',
    '**/types/**', '**/interfaces/**',
    '*.types.ts', '*.type.ts', '*.interface.ts', 'types.ts', '*.pyi',
  ],
  config_change: [
    '*.config.{js,ts,cjs,mjs,json}', '.env*', 'config/**',
    'Dockerfile', 'Dockerfile.*', '*.dockerfile', 'docker-compose.*', 'compose.{yaml,yml}',
    'tsconfig*.json', '.eslintrc*', '.prettierrc*', '.babelrc*',
  ],
  dependency_update: [
    'package.json', 'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb', 'bun.lock',
    'requirements*.txt', 'pyproject.toml', 'Pipfile*', 'poetry.lock', 'uv.lock',
    'go.mod', 'go.sum',
    'Cargo.toml', 'Cargo.lock',
    'Gemfile*',
    'pom.xml', 'build.gradle*',
    'composer.json', 'composer.lock',
  ],
};

/**
 * Generic formats that mean configuration only when nothing more specific matched the file:
 * `openapi.yaml` is a schema and `pnpm-lock.yaml` a dependency update, not config.
 */
export const FALLBACK_PATTERNS: Readonly<Partial<Record<FileChangeType, readonly string[]>>> = {
  config_change: ['*.yaml', '*.yml', '*.toml', '*.ini'],
};

/** Commit messages that announce a breaking change (Conventional Commits). */
export const BREAKING_MESSAGE_PATTERNS: readonly RegExp[] = [
  /^BREAKING[ -]CHANGE:/m, // footer
  /^[A-Za-z]+(?:\([^)\n]*\))?!:/, // `feat!:` or `feat(api)!:` subject
];

/**
 * Overrides from a member's topology entry ADD patterns to a type; the defaults still apply.
 * A pattern under `breaking_change` marks files whose every change is breaking.
 */
export type PatternOverrides = Partial<Record<ChangeType, readonly string[]>>;

/** Change types of a set of changed files, in CHANGE_TYPES order; `any_change` when non-empty. */
export function classifyFiles(files: readonly string[], overrides?: PatternOverrides): ChangeType[] {
  const found = new Set<ChangeType>();
  for (const file of files) for (const type of typesOfFile(file, overrides)) found.add(type);
  if (files.length > 0) found.add('any_change');
  return CHANGE_TYPES.filter((t) => found.has(t));
}

export interface CommitClassifyOptions {
  overrides?: PatternOverrides;
  /** Extra message patterns meaning "breaking"; strings are compiled case-insensitive, multiline. */
  breakingPatterns?: readonly (string | RegExp)[];
}

export function classifyCommit(commit: { files: readonly string[]; message: string }, options: CommitClassifyOptions = {}): ChangeType[] {
  const types = new Set(classifyFiles(commit.files, options.overrides));
  if (isBreakingMessage(commit.message, options.breakingPatterns)) types.add('breaking_change');
  if (types.size > 0) types.add('any_change');
  return CHANGE_TYPES.filter((t) => types.has(t));
}

export function isBreakingMessage(message: string, extra: readonly (string | RegExp)[] = []): boolean {
  const text = message.replace(/\r\n/g, '\n');
  return BREAKING_MESSAGE_PATTERNS.some((re) => re.test(text)) || compilePatterns(extra).some((re) => re.test(text));
}

/** Problems with configured breaking patterns (invalid regular expressions), for validation. */
export function breakingPatternProblems(patterns: readonly string[]): string[] {
  const problems: string[] = [];
  for (const p of patterns) {
    try {
      new RegExp(p, 'im');
    } catch (error) {
      problems.push(`${JSON.stringify(p)}: ${(error as Error).message}`);
    }
  }
  return problems;
}

function compilePatterns(patterns: readonly (string | RegExp)[]): RegExp[] {
  const out: RegExp[] = [];
  for (const p of patterns) {
    if (p instanceof RegExp) out.push(p);
    else {
      // Invalid ones are reported by validation, not thrown mid-classification.
      try {
        out.push(new RegExp(p, 'im'));
      } catch {
        /* skipped */
      }
    }
  }
  return out;
}

function typesOfFile(file: string, overrides?: PatternOverrides): ChangeType[] {
  const types: ChangeType[] = [];
  for (const type of CHANGE_TYPES) {
    const builtIn = type === 'breaking_change' || type === 'any_change' ? [] : DEFAULT_PATTERNS[type];
    if (matchesAny(builtIn, file) || matchesAny(overrides?.[type] ?? [], file)) types.push(type);
  }
  if (types.length === 0) {
    for (const [type, patterns] of Object.entries(FALLBACK_PATTERNS) as [FileChangeType, readonly string[]][]) {
      if (matchesAny(patterns, file)) types.push(type);
    }
  }
  return types.filter((t) => t !== 'any_change');
}
