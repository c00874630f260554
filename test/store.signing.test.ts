// Signed record commits in the git store, and the allowed-signers format (ssh-keygen ALLOWED
// SIGNERS): what git itself says of our commits (`git verify-commit`, `%G?`, `fsck --strict`).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  allowSigner, mergeAllowedSigners, parseAllowedSigners, parsePublicKey, principalProblem, revokeSigner,
} from '../src/core/allowed-signers.js';
import { type CoordinationStore, MemoryStore, openGitStore, sessionRef, TOPOLOGY_REF } from '../src/store/index.js';
import { registered, topologyRecord } from './helpers/records.js';
import { tempDir } from './helpers/tmp.js';

delete process.env.SSH_AUTH_SOCK;

const keys = tempDir('orchestrator-keys-');
function makeKey(name: string): string {
  const file = join(keys, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${name}@test`, '-f', file]);
  return file;
}
const alice = makeKey('alice');
const eve = makeKey('eve');
const pub = (key: string) => readFileSync(`${key}.pub`, 'utf8');
const allowed = `alice@test namespaces="git" ${pub(alice).trim().split(' ').slice(0, 2).join(' ')}\n`;

function gitIn(gitDir: string, args: string[], input?: string): string {
  return execFileSync('git', [`--git-dir=${gitDir}`, ...args], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...(input !== undefined ? { input } : {}) }).trim();
}

async function signingRepo(key = alice) {
  const dir = join(tempDir('orchestrator-signed-'), 'coordination.git');
  const store = await openGitStore(dir, { maintenance: false });
  await store.signing!.configure(key);
  store.signing!.exportAllowedSigners(allowed);
  return { dir, store };
}

test('appended records, the topology and prune copies are signed as git commit -S signs; git verifies them', async () => {
  const { dir, store } = await signingRepo();
  const shas = await store.append(sessionRef('api-1'), [registered({ id: 's1' }), registered({ id: 's2' }), registered({ id: 's3' })]);
  const topology = await store.commitTopology('version: "1.0"\ngroups: {}\n', topologyRecord('init'), null);
  const copy = await store.recommit('4b825dc642cb6eb9a060e54bf8d69288fbee4904', [], 'copied\n', { name: 'x', email: 'x@y', seconds: 1 });
  for (const sha of [...shas, topology, copy]) {
    const verified = execFileSync('git', [`--git-dir=${dir}`, 'verify-commit', '-v', sha], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.type(verified, 'string');
    const text = gitIn(dir, ['cat-file', 'commit', sha]);
    assert.match(text, /\ncommitter [^\n]+\ngpgsig -----BEGIN SSH SIGNATURE-----\n [A-Za-z0-9+/=]+\n/, 'the signature follows the committer, continued lines indented');
  }
  // Readers see the same records as unsigned ones (the header is not part of the message).
  const commit = await store.readCommit(shas[1]!);
  assert.is(commit.record?.id, 's2');
  assert.is(gitIn(dir, ['log', '--format=%G? %GS', '-1', TOPOLOGY_REF]), 'G alice@test');
  gitIn(dir, ['fsck', '--strict', '--no-progress', '--no-dangling']);
  store.close();
});

test('two writers of one ref while signing: every record kept, each signed, on one chain', async () => {
  const { dir, store } = await signingRepo();
  const other = await openGitStore(dir, { maintenance: false });
  const ref = sessionRef('api-1');
  await Promise.all([
    (async () => { for (let i = 0; i < 8; i++) await store.append(ref, [registered({ id: `a${i}` })]); })(),
    (async () => { for (let i = 0; i < 8; i++) await other.append(ref, [registered({ id: `b${i}` })]); })(),
  ]);
  const log = gitIn(dir, ['log', '--format=%G?', ref]).split('\n');
  assert.is(log.length, 16);
  assert.ok(log.every((s) => s === 'G'), log.join(' '));
  store.close();
  other.close();
});

test('verify: good, unsigned, unknown key and altered commits, as git reports them', async () => {
  const { dir, store } = await signingRepo();
  const [good] = await store.append(sessionRef('good'), [registered({ id: 'g' })]);
  await store.signing!.configure(eve);
  const [unknown] = await store.append(sessionRef('eve'), [registered({ id: 'e' })]);
  await store.signing!.configure(null);
  const [unsigned] = await store.append(sessionRef('plain'), [registered({ id: 'p' })]);
  const forged = gitIn(dir, ['hash-object', '-t', 'commit', '-w', '--stdin'], `${gitIn(dir, ['cat-file', 'commit', good!]).replace('"g"', '"f"')}\n`);
  const verdicts = await store.signing!.verify([good!, unknown!, unsigned!, forged], [], allowed);
  const status = Object.fromEntries(verdicts.map((v) => [v.sha, v.status]));
  assert.equal(status, { [good!]: 'G', [unknown!]: 'U', [unsigned!]: 'N', [forged]: 'B' });
  assert.is(verdicts.find((v) => v.sha === good)!.principal, 'alice@test');
  assert.match(verdicts.find((v) => v.sha === unknown)!.fingerprint ?? '', /^SHA256:/);
  // Excluded and missing commits are left out, not fatal.
  assert.equal(await store.signing!.verify([good!], [good!, '1'.repeat(40)], allowed), []);
  store.close();
});

test('the in-process check gives git\'s own verdicts (Ed25519), and leaves other keys to git', async () => {
  const ecdsa = join(keys, 'ecdsa');
  execFileSync('ssh-keygen', ['-q', '-t', 'ecdsa', '-N', '', '-C', 'ecdsa@test', '-f', ecdsa]);
  const list = `${allowed}ecdsa@test ${pub(ecdsa).trim().split(' ').slice(0, 2).join(' ')}\n`;
  const { dir, store } = await signingRepo();
  const shas: string[] = [];
  shas.push(...(await store.append(sessionRef('good'), [registered({ id: 'g1' }), registered({ id: 'g2', repoPath: '/repos/ünïcode ✓' })])));
  await store.signing!.configure(eve);
  shas.push(...(await store.append(sessionRef('eve'), [registered({ id: 'e' })])));
  await store.signing!.configure(ecdsa);
  shas.push(...(await store.append(sessionRef('ecdsa'), [registered({ id: 'c' })])));
  await store.signing!.configure(null);
  shas.push(...(await store.append(sessionRef('plain'), [registered({ id: 'p' })])));
  const raw = (sha: string) => gitIn(dir, ['cat-file', 'commit', sha]);
  shas.push(gitIn(dir, ['hash-object', '-t', 'commit', '-w', '--stdin'], `${raw(shas[0]!).replace('"g1"', '"f1"')}\n`));
  // Signed for another namespace than git's.
  const payload = `tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor a <a@b> 1 +0000\ncommitter a <a@b> 1 +0000\n\nother namespace\n`;
  const signature = execFileSync('ssh-keygen', ['-q', '-Y', 'sign', '-n', 'file', '-f', alice], { input: payload, encoding: 'utf8' });
  const { signedCommitBody } = await import('../src/store/objects.js');
  shas.push(gitIn(dir, ['hash-object', '-t', 'commit', '-w', '--stdin'], signedCommitBody(Buffer.from(payload), signature).toString()));
  const { verifyCommits } = await import('../src/store/git/signing.js');
  const byGit = await verifyCommits(dir, shas, [], list);
  const inProcess = await store.signing!.verify(shas, [], list);
  assert.equal(inProcess, byGit);
  assert.equal(byGit.map((v) => v.status).sort(), ['B', 'B', 'G', 'G', 'G', 'N', 'U'].sort());
  store.close();
});

test('a key that cannot sign fails the write with SIGN_FAILED; nothing is written', async () => {
  const { store } = await signingRepo(join(keys, 'no-such-key'));
  const ref = sessionRef('api-1');
  try {
    await store.append(ref, [registered()]);
    assert.unreachable('should have failed');
  } catch (error) {
    assert.is((error as { code?: string }).code, 'SIGN_FAILED');
    assert.match((error as Error).message, /no-such-key/);
  }
  assert.is(await store.readRef(ref), null);
  store.close();
});

test('the memory store offers no signing', () => {
  const store: CoordinationStore = new MemoryStore();
  assert.is(store.signing, undefined);
});

test('allowed signers: parse, allow once, revoke, merge by line', () => {
  const key = parsePublicKey(pub(alice))!;
  const eveKey = parsePublicKey(pub(eve))!;
  assert.ok(key);
  assert.is(parsePublicKey('ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQAB'), null, 'a blob of another type');
  assert.is(parsePublicKey('not a key'), null);
  assert.ok(principalProblem('a b'));
  assert.is(principalProblem('alice@laptop'), null);
  const one = allowSigner('', 'alice@test', key);
  assert.ok(one.changed);
  assert.not.ok(allowSigner(one.text, 'alice@test', key).changed);
  const two = allowSigner(one.text, 'eve@test', eveKey).text;
  const parsed = parseAllowedSigners(`${two}\n# comment\nbroken line\ncert@x cert-authority,namespaces="git,file" ${pub(eve)}`);
  assert.equal(parsed.map((e) => e.principals), ['alice@test', 'eve@test', 'cert@x']);
  assert.is(parsed[2]!.options, 'cert-authority,namespaces="git,file"');
  const revoked = revokeSigner(two, 'eve@test');
  assert.is(revoked.removed.length, 1);
  assert.equal(parseAllowedSigners(revoked.text).map((e) => e.principals), ['alice@test']);
  // ours revoked eve, theirs added carol: both hold.
  const carol = allowSigner(two, 'carol@test', eveKey).text;
  const merged = mergeAllowedSigners(revoked.text, two, carol);
  assert.equal(parseAllowedSigners(merged).map((e) => e.principals), ['alice@test', 'carol@test']);
});

test.run();
