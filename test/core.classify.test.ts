import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_PATTERNS, breakingPatternProblems, classifyCommit, classifyFiles, isBreakingMessage } from '../src/core/classify.js';
import { globToRegExp, matchGlob } from '../src/core/glob.js';
import type { ChangeType } from '../src/core/types.js';

test('glob matcher', () => {
  const cases: Array<[string, string, boolean]> = [
    ['*.sql', 'a.sql', true],
    ['*.sql', 'db/migrate/a.sql', true], // no slash: basename at any depth
    ['*.sql', 'a.sql.bak', false],
    ['Dockerfile', 'services/api/Dockerfile', true],
    ['Dockerfile', 'Dockerfile.dev', false],
    ['?.ts', 'a.ts', true],
    ['?.ts', 'ab.ts', false],
    ['*.{yaml,yml}', 'ci.yml', true],
    ['*.{yaml,yml}', 'ci.json', false],
    ['openapi.{yaml,yml,json}', 'docs/openapi.json', true],
    ['*.{a,{b,c}}', 'x.c', true], // nested braces
    ['{x', '{x', true], // unclosed brace is literal
    ['*.yml', '.github/workflows/ci.yml', true], // dot files are not special
    ['.env*', '.env.local', true],
    ['**/migrations/**', 'migrations/001.sql', true],
    ['**/migrations/**', 'db/migrations/001.sql', true],
    ['**/migrations/**', 'a/b/migrations/x/y.sql', true],
    ['**/migrations/**', 'migrations', false],
    ['**/migrations/**', 'db/migrationsx/1.sql', false],
    ['config/**', 'config/a/b.json', true],
    ['config/**', 'src/config/a.json', false], // with a slash: anchored at the root
    ['src/*.ts', 'src/a.ts', true],
    ['src/*.ts', 'src/x/a.ts', false],
    ['src/**/*.ts', 'src/a.ts', true],
    ['src/**/*.ts', 'src/x/y/a.ts', true],
    ['a**b', 'axxb', true],
    ['a**b', 'ax/xb', false],
    ['**', 'any/thing', true],
    ['a+b(c).md', 'a+b(c).md', true], // regex characters are literal
    ['a.md', 'aXmd', false],
    ['./src/*.ts', 'src/a.ts', true],
    ['src/*.ts', './src/a.ts', true],
    ['src/*.ts', 'src\\a.ts', true],
  ];
  for (const [pattern, path, expected] of cases) assert.is(matchGlob(pattern, path), expected, `${pattern} ~ ${path} (${globToRegExp(pattern)})`);
});

test('classifyFiles: default table', () => {
  const cases: Array<[string, ChangeType[]]> = [
    ['db/migrations/20240101_users.sql', ['schema_change']],
    ['schema.sql', ['schema_change']],
    ['prisma/schema.prisma', ['schema_change']],
    ['src/schema.graphql', ['schema_change']],
    ['api.gql', ['schema_change']],
    ['proto/user.proto', ['schema_change']],
    ['openapi.yaml', ['schema_change']],
    ['docs/swagger.json', ['schema_change']],
    ['events/user.avsc', ['schema_change']],
    ['user.schema.json', ['schema_change']],
    ['src/routes/users.ts', ['api_endpoint_change']],
    ['app/controllers/users_controller.rb', ['api_endpoint_change']],
    ['internal/handlers/user.go', ['api_endpoint_change']],
    ['src/api/client.ts', ['api_endpoint_change']],
    ['src/user.routes.ts', ['api_endpoint_change']],
    ['src/user.controller.ts', ['api_endpoint_change']],
    ['app/api/users/route.ts', ['api_endpoint_change']],
    ['src/index.d.ts', ['type_definition_change']],
    ['src/types/user.ts', ['type_definition_change']],
    ['src/interfaces/user.ts', ['type_definition_change']],
    ['src/user.types.ts', ['type_definition_change']],
    ['src/api/types/user.ts', ['api_endpoint_change', 'type_definition_change']],
    ['vite.config.ts', ['config_change']],
    ['jest.config.mjs', ['config_change']],
    ['.env.example', ['config_change']],
    ['config/default.json', ['config_change']],
    ['Dockerfile', ['config_change']],
    ['docker-compose.yml', ['config_change']],
    ['tsconfig.build.json', ['config_change']],
    ['.github/workflows/ci.yml', ['config_change']],
    ['settings.toml', ['config_change']],
    ['setup.ini', ['config_change']],
    ['package.json', ['dependency_update']],
    ['packages/web/package.json', ['dependency_update']],
    ['package-lock.json', ['dependency_update']],
    ['yarn.lock', ['dependency_update']],
    ['pnpm-lock.yaml', ['dependency_update']], // not config: a specific type matched
    ['bun.lockb', ['dependency_update']],
    ['requirements-dev.txt', ['dependency_update']],
    ['pyproject.toml', ['dependency_update']],
    ['Pipfile.lock', ['dependency_update']],
    ['poetry.lock', ['dependency_update']],
    ['go.mod', ['dependency_update']],
    ['go.sum', ['dependency_update']],
    ['Cargo.toml', ['dependency_update']],
    ['Cargo.lock', ['dependency_update']],
    ['Gemfile.lock', ['dependency_update']],
    ['pom.xml', ['dependency_update']],
    ['build.gradle.kts', ['dependency_update']],
    ['src/user.ts', []],
    ['README.md', []],
  ];
  for (const [file, types] of cases) {
    const expected: ChangeType[] = [...types, 'any_change'];
    assert.equal(classifyFiles([file]), expected, file);
  }
});

test('classifyFiles: sets, empty input and overrides that add', () => {
  assert.equal(classifyFiles([]), []);
  assert.equal(classifyFiles(['package.json', 'src/routes/a.ts', 'migrations/1.sql']), ['schema_change', 'api_endpoint_change', 'dependency_update', 'any_change']);
  const overrides = { schema_change: ['src/models/**'], breaking_change: ['public/**'] };
  assert.equal(classifyFiles(['src/models/user.ts'], overrides), ['schema_change', 'any_change']);
  assert.equal(classifyFiles(['db/migrations/1.sql'], overrides), ['schema_change', 'any_change']); // defaults still apply
  assert.equal(classifyFiles(['public/sdk.ts'], overrides), ['breaking_change', 'any_change']);
  assert.equal(classifyFiles(['infra/main.yaml'], { schema_change: ['infra/*.yaml'] }), ['schema_change', 'any_change']);
});

test('breaking change from the commit message', () => {
  const cases: Array<[string, boolean]> = [
    ['feat!: drop v1 login', true],
    ['feat(auth)!: drop v1 login', true],
    ['fix(api-gw)!: rename header', true],
    ['feat: add login\n\nBREAKING CHANGE: tokens expire sooner', true],
    ['feat: add login\n\nBREAKING-CHANGE: tokens expire sooner', true],
    ['feat: add login\r\n\r\nBREAKING CHANGE: windows line ends', true],
    ['feat: add login', false],
    ['feat: not breaking change: just words', false],
    ['docs: explain the BREAKING CHANGE: policy', false], // footer must start a line
    ['chore: release\n\nfeat!: in the body is not a subject', false],
    ['feat: x\n\nbreaking change: lower case is not a footer', false],
  ];
  for (const [message, expected] of cases) assert.is(isBreakingMessage(message), expected, message);
  assert.ok(isBreakingMessage('chore: remove deprecated endpoints', ['\\bremove deprecated\\b']));
  assert.ok(isBreakingMessage('chore: Remove Deprecated stuff', ['remove deprecated'])); // strings: case-insensitive
  assert.ok(isBreakingMessage('x\n[breaking] y', ['^\\[breaking\\]'])); // strings: multiline
  assert.not.ok(isBreakingMessage('x', ['(unclosed'])); // invalid patterns are skipped
  assert.equal(breakingPatternProblems(['ok', '(unclosed']).length, 1);
});

test('classifyCommit', () => {
  const cases: Array<[{ files: string[]; message: string }, ChangeType[]]> = [
    [{ files: ['prisma/schema.prisma'], message: 'feat(db)!: drop user.name' }, ['schema_change', 'breaking_change', 'any_change']],
    [{ files: ['src/user.ts'], message: 'fix: typo' }, ['any_change']],
    [{ files: [], message: 'feat!: empty commit' }, ['breaking_change', 'any_change']],
    [{ files: [], message: 'chore: empty' }, []],
  ];
  for (const [commit, expected] of cases) assert.equal(classifyCommit(commit), expected, commit.message);
  assert.equal(classifyCommit({ files: ['src/models/a.ts'], message: 'refactor: BREAKS clients' }, { overrides: { schema_change: ['**/models/**'] }, breakingPatterns: [/BREAKS/] }),
    ['schema_change', 'breaking_change', 'any_change']);
});

test('DEFAULT_PATTERNS is printable data covering every file type', () => {
  assert.equal(Object.keys(DEFAULT_PATTERNS).sort(), ['api_endpoint_change', 'config_change', 'dependency_update', 'schema_change', 'type_definition_change']);
  for (const patterns of Object.values(DEFAULT_PATTERNS)) assert.ok(patterns.length > 0);
});

test.run();
