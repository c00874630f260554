// signing enable | allow | revoke | status: signed records for a team that wants them
// (docs/sharing.md, "Signed records"). The key stays on this machine (the coordination repo's own
// git config); the allowed-signers list is shared on `refs/orchestrator/signers`, each change a
// signed commit.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expandTilde } from '../../config/home.js';
import {
  allowSigner as addToList, formatKey, parseAllowedSigners, parsePublicKey, principalProblem, principalsOf, revokeSigner as removeFromList, type PublicKey,
} from '../../core/allowed-signers.js';
import { NAMESPACE, remoteNamespace, SIGNERS_REF, type RecordSigning } from '../../store/index.js';
import type { AppContext } from '../context.js';
import { describeError, UserError } from '../errors.js';
import { readSyncStates } from '../share-state.js';
import { describeRefused, fingerprintOf, listFiles, ownKeyProblem, ownPublicKey, readSigners, signersRecord, vouchFor, type SignersList } from '../signing.js';

/** One key of the list, as `signing status` shows it. */
export interface SignerView {
  principals: string[];
  type: string;
  fingerprint: string;
}

export interface SigningStatus {
  /** This machine checks the remotes' records (it has the list). */
  verifying: boolean;
  /** The key this machine signs with (a path), or null. */
  key: string | null;
  /** Its fingerprint, when its public key could be read. */
  fingerprint: string | null;
  /** The allowed signers this machine holds. */
  signers: SignerView[];
  /** Remotes whose list this machine does not hold (their records are signed, ours are not checked). */
  remotesWithSigners: string[];
  /** Records refused at the last sync, one line each with what to do. */
  refused: string[];
  /** Whether a test signature with the key just worked in this process (null: no key). */
  signs: boolean | null;
  /** Whether this process sees an ssh-agent (`SSH_AUTH_SOCK`), which a key with a passphrase needs. */
  agent: boolean;
  /** What is wrong with this machine's own signing (the key cannot sign, or is not listed), with what to do. */
  problems: string[];
}

export interface EnableResult {
  key: string;
  principal: string;
  fingerprint: string;
  /** Where the list came from: `new`, this machine's own, or a remote's copy (trusted on first use). */
  list: 'new' | 'local' | `remote ${string}`;
  signers: SignerView[];
}

function signingOf(ctx: AppContext): RecordSigning {
  if (!ctx.store.signing) {
    throw new UserError('INVALID_SETTING', 'signed records need the git coordination repo', 'open it with the CLI (claude-orchestrator) rather than an in-memory store');
  }
  return ctx.store.signing;
}

/**
 * The public key of a key file: `<key>.pub` beside a private key, or the `.pub` file itself.
 * INVALID_INPUT when it is missing or not an OpenSSH public key.
 */
function publicKeyOf(keyPath: string): PublicKey {
  const pub = keyPath.endsWith('.pub') ? keyPath : `${keyPath}.pub`;
  const privateKey = keyPath.endsWith('.pub') ? keyPath.slice(0, -'.pub'.length) : keyPath;
  let text: string;
  try {
    text = readFileSync(pub, 'utf8');
  } catch {
    if (!existsSync(privateKey)) {
      throw new UserError(
        'INVALID_INPUT',
        `no ssh key at ${keyPath}: the file does not exist${keyPath === pub ? '' : ` (nor ${pub})`}`,
        `give the path of an existing key (e.g. ~/.ssh/id_ed25519), or make one: ssh-keygen -t ed25519 -f ${privateKey} (records are signed by servers and hooks, which cannot type a passphrase: make it with -N '' for none, or load it into ssh-agent with ssh-add)`,
      );
    }
    throw new UserError('INVALID_INPUT', `no public key at ${pub}`, `give the key's file (its .pub must be beside it), or write the public key with: ssh-keygen -y -f ${privateKey} > ${pub}`);
  }
  const key = parsePublicKey(text);
  if (!key) throw new UserError('INVALID_INPUT', `${pub} is not an OpenSSH public key`, 'give a key made by ssh-keygen (ssh-ed25519 recommended)');
  return key;
}

/** A public key from its text (`ssh-ed25519 AAAA...`) or from a `.pub` file. INVALID_INPUT otherwise. */
function keyFromArgument(ctx: AppContext, given: string): PublicKey {
  const direct = parsePublicKey(given);
  if (direct) return direct;
  let text: string;
  try {
    text = readFileSync(resolve(expandTilde(given)), 'utf8');
  } catch {
    throw new UserError('INVALID_INPUT', `${given.slice(0, 80)} is neither a public key nor a readable file`, "give the key as `'ssh-ed25519 AAAA...'` (quoted) or the path of its .pub file");
  }
  const key = parsePublicKey(text);
  if (!key) throw new UserError('INVALID_INPUT', `${given.slice(0, 80)} does not hold an OpenSSH public key`, 'give a .pub file made by ssh-keygen');
  return key;
}

function views(text: string): SignerView[] {
  return parseAllowedSigners(text).map((e) => ({ principals: principalsOf(e), type: e.key.type, fingerprint: fingerprintOf(e.key) }));
}

function checkPrincipal(principal: string): void {
  const problem = principalProblem(principal);
  if (problem) throw new UserError('INVALID_INPUT', problem, 'e.g. --principal alice@laptop');
}

/**
 * Turns signed records on for this machine: checks that `key` signs (no prompt: a key with a
 * passphrase must be in ssh-agent), records it in the coordination repo's config (git's
 * `user.signingKey`, `gpg.format = ssh`; never shared), and adds its public key for `principal`
 * (default: the key's comment) to the allowed-signers list, which it takes from this machine,
 * else from a remote's copy (trust on first use: compare the fingerprints shown), else starts.
 * The list's baseline then vouches for this machine's refs as they are (and, for a new list, for
 * every remote-tracking ref read so far), so the history written before signing stays accepted
 * by machines that check. From then on every record this machine writes is signed and every sync checks the remotes'
 * records. A machine that already signs with a listed key changes keys this way: the list change
 * adding the new key is signed with the old one, so the machines that check take it; revoke the
 * old key after. Errors: INVALID_INPUT (key, principal), the store's SIGN_FAILED.
 */
export async function enableSigning(ctx: AppContext, input: { key: string; principal?: string }): Promise<EnableResult> {
  const signing = signingOf(ctx);
  const keyPath = resolve(expandTilde(input.key));
  const key = publicKeyOf(keyPath);
  const comment = readFileSync(keyPath.endsWith('.pub') ? keyPath : `${keyPath}.pub`, 'utf8').trim().split(/\s+/)[2];
  const principal = input.principal ?? (comment && !principalProblem(comment) ? comment : undefined);
  if (!principal) throw new UserError('INVALID_INPUT', 'the key has no usable comment to name its owner', 'name it: --principal alice@laptop');
  checkPrincipal(principal);
  await signing.sign(keyPath, Buffer.from('claude-orchestrator signing check\n')); // SIGN_FAILED now, not at the next record
  // A change of key: when this machine already signs with a listed key that still works, the list
  // change that adds the new key is signed with the old one (the only one the others allow yet);
  // the switch comes after it. Otherwise the new key signs its own addition (the others allow it by hand).
  const previous = ownPublicKey(ctx.store);
  const listedBefore = await readSigners(ctx.store);
  const rotating =
    previous !== null && previous.key.base64 !== key.base64 && listedBefore !== null &&
    parseAllowedSigners(listedBefore.text).some((e) => e.key.base64 === previous.key.base64) &&
    (await signing.sign(previous.path, Buffer.from('claude-orchestrator signing check\n')).then(() => true, () => false));
  if (!rotating) await signing.configure(keyPath);
  let current: SignersList | null = listedBefore;
  let list: EnableResult['list'] = current ? 'local' : 'new';
  let extraParents: string[] = [];
  if (!current) {
    for (const remote of await ctx.store.listRemotes()) {
      const theirs = await readSigners(ctx.store, `${remoteNamespace(remote.name)}signers`);
      if (!theirs) continue;
      current = { ...theirs, sha: '' };
      extraParents = [theirs.sha];
      list = `remote ${remote.name}`;
      break;
    }
  }
  const edited = addToList(current?.text ?? '', principal, key);
  const own = [...(await ctx.store.listRefs([NAMESPACE]))].filter(([ref]) => ref !== SIGNERS_REF);
  const read = list === 'new' ? [...(await ctx.store.listRefs(['refs/remotes/']))].filter(([ref]) => !ref.endsWith('/orchestrator/signers')) : [];
  const baseline = vouchFor(current?.baseline ?? '', [...own, ...read]);
  const localTip = current?.sha || null;
  if (edited.changed || baseline !== current?.baseline || !localTip) {
    const action = edited.changed || !localTip ? `signing: ${principal} allowed (${fingerprintOf(key)})` : `signing: ${principal} vouched for the history of this machine's refs`;
    const record = await signersRecord(ctx.store, action, ctx.env.now());
    await signing.commitFiles(SIGNERS_REF, listFiles(edited.text, baseline), record, localTip, extraParents);
  }
  if (rotating) await signing.configure(keyPath);
  signing.exportAllowedSigners(edited.text);
  return { key: keyPath, principal, fingerprint: fingerprintOf(key), list, signers: views(edited.text) };
}

async function editList(ctx: AppContext, edit: (text: string) => { text: string; changed: boolean }, action: string): Promise<{ text: string; changed: boolean }> {
  const signing = signingOf(ctx);
  const current = await readSigners(ctx.store);
  if (!current) throw new UserError('INVALID_SETTING', 'signed records are not on for this machine', 'turn them on first: claude-orchestrator signing enable --key <ssh key>');
  const edited = edit(current.text);
  if (edited.changed) {
    const record = await signersRecord(ctx.store, action, ctx.env.now());
    await signing.commitFiles(SIGNERS_REF, listFiles(edited.text, current.baseline), record, current.sha);
    signing.exportAllowedSigners(edited.text);
  }
  return edited;
}

/**
 * Adds `key` (a public key's text or its .pub file) for `principal` to the allowed signers, as a
 * signed commit shared at the next sync. Records by that key are accepted from the next sync on.
 * Errors: INVALID_INPUT, INVALID_SETTING (signing not on), SIGN_FAILED.
 */
export async function allowSigner(ctx: AppContext, input: { principal: string; key: string }): Promise<{ principal: string; fingerprint: string; changed: boolean; signers: SignerView[] }> {
  checkPrincipal(input.principal);
  const key = keyFromArgument(ctx, input.key);
  const edited = await editList(ctx, (text) => addToList(text, input.principal, key), `signing: ${input.principal} allowed (${fingerprintOf(key)})`);
  return { principal: input.principal, fingerprint: fingerprintOf(key), changed: edited.changed, signers: views(edited.text) };
}

/**
 * Removes every key of `principal` (or one key, given as its text) from the allowed signers, as
 * a signed commit. Commits by a removed key that arrive later are refused; records already read
 * stay. The key this machine signs with is removed only with `force` (then `warning` says what
 * follows): this machine would go on signing with it, and the machines that check would refuse
 * its new records, and those they have not read yet. Errors: INVALID_INPUT (nothing to remove,
 * or this machine's own key without `force`), INVALID_SETTING, SIGN_FAILED.
 */
export async function revokeSigner(
  ctx: AppContext,
  input: { principal: string; force?: boolean },
): Promise<{ removed: string[]; signers: SignerView[]; warning: string | null }> {
  let removed: string[] = [];
  let warning: string | null = null;
  const own = ownPublicKey(ctx.store);
  const edited = await editList(
    ctx,
    (text) => {
      const result = removeFromList(text, input.principal);
      removed = result.removed;
      if (own && result.removed.some((line) => parseAllowedSigners(line)[0]?.key.base64 === own.key.base64)) {
        const what = `${input.principal.slice(0, 80)} is the key this machine signs with (${own.path}, ${fingerprintOf(own.key)})`;
        const effect =
          'the machines that check would refuse, from their next sync on, every record this machine writes after it, and those of its records they have not read yet';
        if (!input.force) {
          throw new UserError(
            'INVALID_INPUT',
            `${what}: revoking it leaves this machine signing with a key the list no longer allows, so ${effect}`,
            `to change this machine's key, enable the new one first (\`claude-orchestrator signing enable --key <new key>\`: the list change is signed with the current key, so the others take it), sync, then revoke the old one by its text: \`claude-orchestrator signing revoke '${formatKey(own.key)}'\`. To revoke it anyway, add --force`,
          );
        }
        warning = `${what} and it is revoked: this machine goes on signing with it, and ${effect}. Until a machine whose key is listed allows a key of this machine (\`claude-orchestrator signing allow\`), its records are not read there`;
      }
      return { text: result.text, changed: result.removed.length > 0 };
    },
    `signing: ${input.principal.slice(0, 80)} revoked`,
  );
  if (removed.length === 0) {
    throw new UserError('INVALID_INPUT', `no allowed signer named ${input.principal.slice(0, 80)}`, 'see the list with: claude-orchestrator signing status');
  }
  return { removed: removed.map((line) => views(line)[0]?.fingerprint ?? line), signers: views(edited.text), warning };
}

/**
 * Whether this machine signs and checks, with which key (tested with one signature in this
 * process, as a writer signs), the list it holds, what is wrong with its own signing, and what the
 * last syncs refused.
 */
export async function signingStatus(ctx: AppContext): Promise<SigningStatus> {
  const signing = ctx.store.signing;
  const local = signing ? await readSigners(ctx.store) : null;
  const key = signing?.signingKey() ?? null;
  let fingerprint: string | null = null;
  if (key) {
    try {
      fingerprint = fingerprintOf(publicKeyOf(key));
    } catch {
      fingerprint = null;
    }
  }
  const remotesWithSigners: string[] = [];
  if (!local) {
    for (const remote of await ctx.store.listRemotes()) {
      if (await ctx.store.readRef(`${remoteNamespace(remote.name)}signers`)) remotesWithSigners.push(remote.name);
    }
  }
  const refused = readSyncStates(ctx.paths.home).flatMap((s) => (s.last.refused ?? []).map((r) => describeRefused(s.remote, r)));
  const problems: string[] = [];
  let signs: boolean | null = null;
  if (signing && key) {
    // What every writer does for each record: a failure here is what the next record would hit.
    try {
      await signing.sign(key, Buffer.from('claude-orchestrator signing check\n'));
      signs = true;
    } catch (error) {
      signs = false;
      problems.push(`this machine cannot sign its records: ${describeError(error)}`);
    }
  }
  const unlisted = await ownKeyProblem(ctx.store);
  if (unlisted) problems.push(unlisted);
  return {
    verifying: local !== null, key, fingerprint, signers: local ? views(local.text) : [], remotesWithSigners, refused,
    signs, agent: Boolean(process.env.SSH_AUTH_SOCK), problems,
  };
}
