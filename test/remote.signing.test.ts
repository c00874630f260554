// Signed records (issue 12): git's SSH signing with an allowed-signers list kept in the
// coordination repo, verified on fetch. Two machines share a file remote; keys are made here with
// ssh-keygen (no ssh-agent, no ~/.ssh), so nothing depends on the developer's setup.
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openGitStore, sessionRef } from '../src/store/index.js';
import { cli, cliJson } from './helpers/cli.js';
import { makeMachines, sync, type Machines } from './helpers/machines.js';
import { startServer } from './helpers/mcp.js';
import { registered } from './helpers/records.js';
import { tempDir } from './helpers/tmp.js';

// ssh-keygen would ask an agent first: these tests use key files only.
delete process.env.SSH_AUTH_SOCK;

const keys = tempDir('orchestrator-keys-');
function makeKey(name: string, passphrase = ''): string {
  const file = join(keys, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', `${name}@test`, '-f', file]);
  return file;
}
const alice = makeKey('alice');
const bob = makeKey('bob');
const mallory = makeKey('mallory');

function gitIn(gitDir: string, args: string[], input?: string): string {
  return execFileSync('git', [`--git-dir=${gitDir}`, ...args], { encoding: 'utf8', ...(input !== undefined ? { input } : {}) }).trim();
}

function fsckStrict(gitDir: string): void {
  gitIn(gitDir, ['fsck', '--strict', '--no-progress', '--no-dangling']);
}

const repoA = (m: Machines) => join(m.homeA, 'coordination.git');
const repoB = (m: Machines) => join(m.homeB, 'coordination.git');

/** A session record written by a machine's own store (signed when that machine signs). */
async function writeSession(gitDir: string, session: string): Promise<string> {
  const store = await openGitStore(gitDir);
  try {
    const [sha] = await store.append(sessionRef(session), [registered({ session, at: Date.now(), role: 'api', group: 'shop' })]);
    return sha!;
  } finally {
    store.close();
  }
}

/** A record commit made with plain git in the bare remote, on a new session ref (`sign`: a key to sign it with). */
function pushRecord(bare: string, session: string, sign?: string): string {
  const record = registered({ session, at: Date.now(), role: 'api', group: 'shop' });
  const message = `${session} registered\n\nOrchestrator-Record: ${JSON.stringify(record)}\n`;
  const tree = gitIn(bare, ['hash-object', '-t', 'tree', '-w', '--stdin'], '');
  const signing = sign ? ['-c', 'gpg.format=ssh', '-c', `user.signingKey=${sign}`] : [];
  const commit = execFileSync('git', [`--git-dir=${bare}`, ...signing, 'commit-tree', ...(sign ? ['-S'] : []), tree, '-m', message], { encoding: 'utf8' }).trim();
  gitIn(bare, ['update-ref', sessionRef(session), commit]);
  return commit;
}

interface StatusJson {
  groups: Array<{ name: string; sessions: Array<{ sessionId: string }> }>;
  problems: string[];
}

function sessionsOf(status: StatusJson): string[] {
  return status.groups.flatMap((g) => g.sessions.map((s) => s.sessionId)).sort();
}

/** A signs, B joins: both sign and each allows the other. */
async function twoSigningMachines(): Promise<Machines> {
  const m = makeMachines();
  await cliJson(m.a, ['remote', 'add', 'origin', m.bare]);
  await cliJson(m.b, ['remote', 'add', 'origin', m.bare]);
  const enabled = await cliJson<{ principal: string; list: string }>(m.a, ['signing', 'enable', '--key', alice]);
  assert.is(enabled.principal, 'alice@test');
  assert.is(enabled.list, 'new');
  assert.ok((await sync(m.a)).ok);
  const first = await sync(m.b);
  assert.ok(first.notices.some((n) => /allowed signers/.test(n)), 'B is told the remote signs');
  const joined = await cliJson<{ list: string; signers: Array<{ principals: string[] }> }>(m.b, ['signing', 'enable', '--key', `${bob}.pub`]);
  assert.is(joined.list, 'remote origin', 'B took the list from the remote');
  assert.equal(joined.signers.map((s) => s.principals[0]), ['alice@test', 'bob@test']);
  assert.ok((await sync(m.b)).ok);
  // A does not take B's own addition of itself...
  const refused = await sync(m.a);
  assert.ok(refused.ok);
  assert.match(JSON.stringify(refused), /signers.*signed by a key not in this machine.s list/, JSON.stringify(refused));
  // ...until someone A trusts (A) allows B's key.
  await cliJson(m.a, ['signing', 'allow', 'bob@test', `${bob}.pub`]);
  const merged = await sync(m.a);
  assert.ok(merged.ok, merged.error ?? '');
  assert.equal((merged as unknown as { refused: unknown[] }).refused, []);
  assert.ok((await sync(m.b)).ok);
  return m;
}

test('signed records: accepted when signed by an allowed key; unsigned, unknown-key and forged ones refused and named', async () => {
  const m = await twoSigningMachines();
  const good = await writeSession(repoB(m), 'bob-session');
  // What `git commit -S` writes: git itself verifies it.
  const verified = execFileSync('git', [`--git-dir=${repoB(m)}`, 'verify-commit', '-v', good], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.ok(typeof verified === 'string');
  assert.ok((await sync(m.b)).ok);

  const unsigned = pushRecord(m.bare, 'unsigned-session');
  const unknown = pushRecord(m.bare, 'mallory-session', mallory);
  // Forged: bob's signed commit with its record changed, signature kept.
  const original = gitIn(m.bare, ['cat-file', 'commit', good]);
  const forgedText = `${original.replaceAll('bob-session', 'forged-session')}\n`;
  const forged = gitIn(m.bare, ['hash-object', '-t', 'commit', '-w', '--stdin'], forgedText);
  gitIn(m.bare, ['update-ref', sessionRef('forged-session'), forged]);
  // And an unsigned record on top of bob's good one: the ref keeps its verified part.
  const store = await openGitStore(m.bare, { maintenance: false });
  await store.append(sessionRef('bob-session'), [registered({ session: 'bob-session', at: Date.now(), role: 'api', group: 'shop', id: 'appended-unsigned' })]);
  store.close();

  const result = await sync(m.a);
  assert.ok(result.ok, result.error ?? '');
  const refused = (result as unknown as { refused: Array<{ ref: string; commit: string; reason: string; hint: string }> }).refused;
  const byRef = new Map(refused.map((r) => [r.ref.split('/').pop(), r]));
  assert.is(byRef.get('unsigned-session')?.commit, unsigned);
  assert.match(byRef.get('unsigned-session')!.reason, /^unsigned/);
  assert.is(byRef.get('mallory-session')?.commit, unknown);
  assert.match(byRef.get('mallory-session')!.reason, /not in the allowed signers/);
  assert.is(byRef.get('forged-session')?.commit, forged);
  assert.match(byRef.get('forged-session')!.reason, /bad signature/);
  assert.match(byRef.get('bob-session')!.reason, /^unsigned/);
  assert.is(gitIn(repoA(m), ['rev-parse', 'refs/remotes/origin/orchestrator/sessions/bob-session']), good, 'the ref stops at its verified record');

  const status = await cliJson<StatusJson>(m.a, ['status'], true);
  assert.equal(sessionsOf(status), ['bob-session'], 'only the signed session is read');
  for (const name of ['unsigned-session', 'mallory-session', 'forged-session', 'bob-session']) {
    assert.ok(status.problems.some((p) => p.includes(`sessions/${name}`) && p.includes('refused')), `status names ${name}: ${status.problems.join('\n')}`);
  }
  const shown = await cli(m.a, ['signing', 'status']);
  assert.is(shown.code, 1);
  assert.match(shown.stdout, /bad signature/);
  assert.match(shown.stdout, /signing allow/);

  // A's own records are signed too, and verify on B.
  await writeSession(repoA(m), 'alice-session');
  assert.ok((await sync(m.a)).ok);
  assert.ok((await sync(m.b)).ok);
  const statusB = await cliJson<StatusJson>(m.b, ['status'], true);
  assert.ok(sessionsOf(statusB).includes('alice-session'));
  assert.not.ok(sessionsOf(statusB).includes('mallory-session'));

  for (const dir of [repoA(m), repoB(m), m.bare]) fsckStrict(dir);
});

test('a revoked key: its later records are refused; allowing it again lets them through', async () => {
  const m = await twoSigningMachines();
  await cliJson(m.a, ['signing', 'revoke', 'bob@test']);
  await writeSession(repoB(m), 'after-revoke');
  assert.ok((await sync(m.b)).ok);
  const result = await sync(m.a);
  assert.ok(result.ok, result.error ?? '');
  assert.match(JSON.stringify(result), /after-revoke.*not in the allowed signers/);
  assert.not.ok(sessionsOf(await cliJson<StatusJson>(m.a, ['status'], true)).includes('after-revoke'));
  await cliJson(m.a, ['signing', 'allow', 'bob@test', readFileSync(`${bob}.pub`, 'utf8').trim()]);
  assert.ok((await sync(m.a)).ok);
  assert.ok(sessionsOf(await cliJson<StatusJson>(m.a, ['status'], true)).includes('after-revoke'));
});

test('history written before the team signed stays accepted (the baseline); a machine joining later reads it', async () => {
  const m = makeMachines();
  await cliJson(m.a, ['remote', 'add', 'origin', m.bare]);
  await cliJson(m.b, ['remote', 'add', 'origin', m.bare]);
  await writeSession(repoA(m), 'old-a');
  assert.ok((await sync(m.a)).ok);
  await writeSession(repoB(m), 'old-b');
  assert.ok((await sync(m.b)).ok);
  assert.ok((await sync(m.a)).ok);
  await cliJson(m.a, ['signing', 'enable', '--key', alice]);
  assert.ok((await sync(m.a)).ok);
  assert.ok((await sync(m.b)).ok);
  await cliJson(m.b, ['signing', 'enable', '--key', bob]);
  await writeSession(repoB(m), 'new-b');
  assert.ok((await sync(m.b)).ok);
  await cliJson(m.a, ['signing', 'allow', 'bob@test', `${bob}.pub`]);
  const a = await sync(m.a);
  assert.equal((a as unknown as { refused: unknown[] }).refused, [], JSON.stringify(a));
  assert.ok((await sync(m.b)).ok);
  // A third machine, checking from its first sync.
  const homeC = join(tempDir('orchestrator-machine-c-'), 'home');
  const c = { ...m.a, CLAUDE_ORCHESTRATOR_HOME: homeC };
  await cliJson(c, ['remote', 'add', 'origin', m.bare]);
  assert.ok((await sync(c)).ok);
  const carol = makeKey('carol');
  const joined = await cliJson<{ list: string }>(c, ['signing', 'enable', '--key', carol]);
  assert.is(joined.list, 'remote origin');
  // Start over as a machine that never read anything unchecked: drop what the plain sync fetched.
  for (const ref of gitIn(join(homeC, 'coordination.git'), ['for-each-ref', '--format=%(refname)', 'refs/remotes/']).split('\n').filter(Boolean)) {
    gitIn(join(homeC, 'coordination.git'), ['update-ref', '-d', ref]);
  }
  const first = await sync(c);
  assert.ok(first.ok, first.error ?? '');
  assert.equal((first as unknown as { refused: unknown[] }).refused, [], JSON.stringify(first));
  const status = await cliJson<StatusJson>(c, ['status'], true);
  assert.equal(sessionsOf(status), ['new-b', 'old-a', 'old-b']);
  assert.equal(status.problems.filter((p) => p.includes('refused')), []);
  // What comes after must be signed.
  pushRecord(m.bare, 'late-unsigned');
  const late = await sync(c);
  assert.match(JSON.stringify(late), /late-unsigned.*unsigned/);
  fsckStrict(join(homeC, 'coordination.git'));
});

test('a running server signs from its next record once signing is enabled; git verifies them', async () => {
  const m = makeMachines();
  const server = await startServer(m.a);
  try {
    const { sessionId } = await server.call<{ sessionId: string }>('register_session', { repoPath: m.platform.repos.auth, projectGroup: 'my-platform' });
    const ref = sessionRef(sessionId);
    const before = gitIn(repoA(m), ['rev-parse', ref]);
    await cliJson(m.a, ['signing', 'enable', '--key', alice]);
    await server.call('notify_related_sessions', { sessionId, changeType: 'api_endpoint_change', summary: 'signed change' });
    const after = gitIn(repoA(m), ['rev-parse', ref]);
    assert.is.not(after, before);
    assert.is(gitIn(repoA(m), ['log', '--format=%G?', '-1', before]), 'N');
    execFileSync('git', [`--git-dir=${repoA(m)}`, 'verify-commit', after], { stdio: 'ignore' });
    // The list's baseline vouches for the unsigned history before.
    assert.match(gitIn(repoA(m), ['cat-file', 'blob', 'refs/orchestrator/signers:baseline']), new RegExp(`${before} ${ref}`));
  } finally {
    await server.close();
  }
});

test('an unsigned topology change on the remote: refused, named with what to do; this machine\'s next topology change is pushed over it with a lease', async () => {
  const m = makeMachines();
  await cliJson(m.a, ['remote', 'add', 'origin', m.bare]);
  await cliJson(m.b, ['remote', 'add', 'origin', m.bare]);
  await cliJson(m.a, ['signing', 'enable', '--key', alice]);
  assert.ok((await sync(m.a)).ok);
  assert.ok((await sync(m.b)).ok);
  // B does not sign: its rule is an unsigned topology commit on the remote.
  await cliJson(m.b, ['rule', 'add', 'my-platform', '--when', 'dependency_update', '--notify', 'all']);
  assert.ok((await sync(m.b)).ok);
  const unsignedTip = gitIn(m.bare, ['rev-parse', 'refs/orchestrator/topology']);
  const first = await sync(m.a);
  assert.ok(first.ok, first.error ?? '');
  const refused = (first as unknown as { refused: Array<{ ref: string; reason: string; hint: string }> }).refused;
  const topologyRefusal = refused.find((r) => r.ref.endsWith('/orchestrator/topology'));
  assert.ok(topologyRefusal, JSON.stringify(first));
  assert.match(topologyRefusal!.reason, /^unsigned/);
  assert.not.match(topologyRefusal!.hint, /delete the ref/, 'the shared topology is never to be deleted');
  assert.match(topologyRefusal!.hint, /signing enable/);
  for (const shown of [(await cliJson<StatusJson>(m.a, ['status'], true)).problems.join('\n'), (await cli(m.a, ['signing', 'status'])).stdout]) {
    assert.match(shown, /orchestrator\/topology/);
    assert.not.match(shown, /delete the ref/);
  }

  // A's own topology change is shared: pushed over the refused commit, with a lease on it.
  await cliJson(m.a, ['rule', 'add', 'my-platform', '--when', 'type_definition_change', '--notify', 'all']);
  const pushed = await sync(m.a);
  assert.ok(pushed.ok, pushed.error ?? '');
  assert.is(pushed.topology, 'pushed');
  assert.ok(pushed.notices.some((n) => n.includes(unsignedTip.slice(0, 12)) && /unsigned/.test(n)), JSON.stringify(pushed.notices));
  const oursA = gitIn(repoA(m), ['rev-parse', 'refs/orchestrator/topology']);
  assert.is(gitIn(m.bare, ['rev-parse', 'refs/orchestrator/topology']), oursA);
  assert.is(gitIn(m.bare, ['log', '--format=%G?', '-1', 'refs/orchestrator/topology']).length, 1);
  assert.not.match(gitIn(repoA(m), ['cat-file', 'blob', `${oursA}:topology.yml`]), /when: dependency_update/, 'the refused change is not taken in');
  // B keeps its rule: its next sync merges A's change into it (and the remote holds the merge again).
  const b = await sync(m.b);
  assert.ok(b.ok, b.error ?? '');
  const topologyB = readFileSync(join(m.homeB, 'topology.yml'), 'utf8');
  assert.match(topologyB, /when: dependency_update/);
  assert.match(topologyB, /when: type_definition_change/);
  const again = await sync(m.a);
  assert.ok(again.ok, again.error ?? '');
  assert.is(again.topology, 'unchanged', 'nothing new here: nothing forced');
  assert.ok((again as unknown as { refused: Array<{ ref: string }> }).refused.some((r) => r.ref.endsWith('/orchestrator/topology')));
  fsckStrict(m.bare);

  // A remote that refuses forced pushes (here a hook): the sync fails, naming the refused topology as the cause and what to do.
  const hook = join(m.bare, 'hooks', 'pre-receive');
  writeFileSync(hook, '#!/bin/sh\nwhile read old new ref; do\n  if [ "$ref" = refs/orchestrator/topology ] && ! git merge-base --is-ancestor "$old" "$new"; then echo "no forced pushes" >&2; exit 1; fi\ndone\n');
  chmodSync(hook, 0o755);
  await cliJson(m.a, ['rule', 'add', 'my-platform', '--when', 'api_endpoint_change', '--notify', 'all']);
  const denied = await sync(m.a, true);
  assert.not.ok(denied.ok, JSON.stringify(denied));
  assert.match(denied.error ?? '', /the topology of origin holds [0-9a-f]{12}, which this machine refuses \(unsigned\)/);
  assert.match(denied.error ?? '', /refuses forced pushes/);
  assert.match(denied.error ?? '', /signing enable/);
});

test('signing enable refuses a key it cannot use, saying why and what to do', async () => {
  const m = makeMachines();
  const locked = makeKey('locked', 'a passphrase');
  const run = await cli(m.a, ['signing', 'enable', '--key', locked]);
  assert.is.not(run.code, 0);
  assert.match(run.stderr + run.stdout, /signing a record with .*locked failed/);
  assert.match(run.stderr + run.stdout, /ssh-agent/);
  assert.match(run.stderr + run.stdout, /passphrase/);
  assert.match(run.stderr + run.stdout, /ssh-add .*locked/, 'says how to load it into the agent');
  const missing = await cli(m.a, ['signing', 'enable', '--key', join(keys, 'nothing-here')]);
  assert.is.not(missing.code, 0);
  assert.match(missing.stderr + missing.stdout, /nothing-here: the file does not exist/);
  assert.match(missing.stderr + missing.stdout, /ssh-keygen -t ed25519 -f .*nothing-here/, 'says how to make a key');
  assert.not.match(missing.stderr + missing.stdout, /ssh-keygen -y/, 'there is no private key to derive a public key from');
  // A private key without its .pub: that is what `ssh-keygen -y` is for.
  const lonely = makeKey('lonely');
  rmSync(`${lonely}.pub`);
  const noPub = await cli(m.a, ['signing', 'enable', '--key', lonely]);
  assert.match(noPub.stderr + noPub.stdout, /no public key at .*lonely\.pub.*ssh-keygen -y -f .*lonely/s);
  // Nothing was configured: records stay unsigned.
  const sha = await writeSession(repoA(m), 'plain');
  assert.not.match(gitIn(repoA(m), ['cat-file', 'commit', sha]), /gpgsig/);

  // A key that stopped signing (here: one with a passphrase set by hand): `signing status` tests
  // it and says what the failed write says: load it into ssh-agent, or use a key without a passphrase.
  await cliJson(m.a, ['signing', 'enable', '--key', alice]);
  const healthy = await cli(m.a, ['signing', 'status']);
  assert.is(healthy.code, 0, healthy.stdout + healthy.stderr);
  assert.match(healthy.stdout, /test signature worked .*no ssh-agent/);
  gitIn(repoA(m), ['config', 'user.signingKey', locked]);
  const status = await cli(m.a, ['signing', 'status']);
  assert.is(status.code, 1);
  assert.match(status.stdout, /problem: this machine cannot sign its records: .*passphrase.*ssh-add .*locked.*without a passphrase/);
  const write = await cli(m.a, ['rule', 'add', 'my-platform', '--when', 'config_change', '--notify', 'all']);
  assert.is.not(write.code, 0);
  assert.match(write.stderr + write.stdout, /ssh-add .*locked/);
});

test('signing revoke of the key this machine signs with: refused unless --force; a change of key first works; status flags an unlisted own key', async () => {
  const m = await twoSigningMachines();
  const refused = await cli(m.a, ['signing', 'revoke', 'alice@test']);
  assert.is(refused.code, 1);
  assert.match(refused.stderr, /alice@test is the key this machine signs with .*refuse/);
  assert.match(refused.stderr, /signing enable --key <new key>/);
  assert.match(refused.stderr, /--force/);
  const listed = await cliJson<{ signers: Array<{ principals: string[] }> }>(m.a, ['signing', 'status']);
  assert.equal(listed.signers.map((s) => s.principals[0]), ['alice@test', 'bob@test'], 'nothing was revoked');

  // What the refusal advises: enable the new key (its addition signed by the old one), sync, revoke the old.
  const alice2 = makeKey('alice2');
  await cliJson(m.a, ['signing', 'enable', '--key', alice2]);
  assert.ok((await sync(m.a)).ok);
  const adopted = await sync(m.b);
  assert.equal((adopted as unknown as { refused: unknown[] }).refused, [], JSON.stringify(adopted));
  await writeSession(repoA(m), 'signed-by-alice2');
  await cliJson(m.a, ['signing', 'revoke', 'alice@test']);
  assert.ok((await sync(m.a)).ok);
  const b = await sync(m.b);
  assert.equal((b as unknown as { refused: unknown[] }).refused, [], JSON.stringify(b));
  assert.ok(sessionsOf(await cliJson<StatusJson>(m.b, ['status'], true)).includes('signed-by-alice2'));
  assert.equal((await cliJson<{ signers: Array<{ principals: string[] }> }>(m.b, ['signing', 'status'])).signers.map((s) => s.principals[0]), ['bob@test', 'alice2@test']);

  // --force: done, with a warning; both status commands then flag this machine's unlisted key.
  const forced = await cliJson<{ warning: string | null }>(m.a, ['signing', 'revoke', 'alice2@test', '--force']);
  assert.match(forced.warning ?? '', /goes on signing with it/);
  const shown = await cli(m.a, ['signing', 'status']);
  assert.is(shown.code, 1);
  assert.match(shown.stdout, /problem: this machine signs its records with .*alice2.*not among the allowed signers.*signing allow/);
  const status = await cliJson<StatusJson>(m.a, ['status'], true);
  assert.ok(status.problems.some((p) => /not among the allowed signers/.test(p)), status.problems.join('\n'));
});

test.run();
