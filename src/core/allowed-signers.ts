// The allowed-signers list of signed records, in ssh-keygen's ALLOWED SIGNERS format (the file
// git reads through `gpg.ssh.allowedSignersFile`): one key a line,
//
//   <principals> [options] <key type> <base64 key> [comment]
//
// e.g. `alice@laptop namespaces="git" ssh-ed25519 AAAAC3Nza...`. Blank lines and lines starting
// with `#` are comments. Source: ssh-keygen(1), section ALLOWED SIGNERS; git-config(1),
// gpg.ssh.allowedSignersFile. Pure: parsing, editing and the three-way merge of two machines' lists.

/** Key types ssh-keygen signs with (ssh-keygen(1), `-t`; `sk-` keys are security keys). */
export const SSH_KEY_TYPES = [
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
] as const;

/** A principal is a name we write into the file: letters, digits, `.`, `_`, `@`, `+`, `-`; at most 128. */
const PRINCIPAL = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/;

/** One public key as `ssh-keygen` prints it (`<type> <base64>`), without its comment. */
export interface PublicKey {
  type: string;
  /** The key blob, base64 as in a `.pub` file. */
  base64: string;
}

/** One line of the list that names a key. */
export interface AllowedSigner {
  /** Comma-separated principal patterns, as written. */
  principals: string;
  /** Options (`namespaces="git"`, `valid-after=...`), as written; '' when none. */
  options: string;
  key: PublicKey;
}

/** Why `principal` cannot be written into the list, or null. */
export function principalProblem(principal: string): string | null {
  return PRINCIPAL.test(principal)
    ? null
    : `principal ${JSON.stringify(principal.slice(0, 60))} must be 1-128 letters, digits, '.', '_', '@', '+' or '-', starting with a letter or digit`;
}

/**
 * A public key from the text of a `.pub` file or an allowed-signers key field (`<type> <base64>
 * [comment]`); null when it is not one. The blob must decode and name the same type (RFC 4253,
 * section 6.6: the blob starts with the type as an SSH string).
 */
export function parsePublicKey(text: string): PublicKey | null {
  const [type, base64] = text.trim().split(/\s+/);
  if (!type || !base64 || !(SSH_KEY_TYPES as readonly string[]).includes(type)) return null;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return null;
  const blob = Buffer.from(base64, 'base64');
  if (blob.length < 4) return null;
  const length = blob.readUInt32BE(0);
  if (length !== type.length || blob.toString('latin1', 4, 4 + length) !== type) return null;
  return { type, base64 };
}

/** `<type> <base64>`: the key as it appears in the list and in `.pub` files. */
export function formatKey(key: PublicKey): string {
  return `${key.type} ${key.base64}`;
}

/**
 * The lines of the list that name a key (comments, blank and unreadable lines left out). The
 * options field is present when the field after the principals is not a key type.
 */
export function parseAllowedSigners(text: string): AllowedSigner[] {
  const entries: AllowedSigner[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = splitFields(line);
    if (fields.length < 3) continue;
    const principals = fields[0]!;
    const hasOptions = !(SSH_KEY_TYPES as readonly string[]).includes(fields[1]!);
    const key = parsePublicKey(fields.slice(hasOptions ? 2 : 1).join(' '));
    if (!key) continue;
    entries.push({ principals, options: hasOptions ? fields[1]! : '', key });
  }
  return entries;
}

/** Fields split on blanks, except inside double quotes (`namespaces="git,file"`). */
function splitFields(line: string): string[] {
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    if (!quoted && (c === ' ' || c === '\t')) {
      if (current) fields.push(current);
      current = '';
    } else current += c;
  }
  if (current) fields.push(current);
  return fields;
}

/** One line for `principal`'s key, limited to git's signatures (`namespaces="git"`). */
export function signerLine(principal: string, key: PublicKey): string {
  return `${principal} namespaces="git" ${formatKey(key)}`;
}

/** The principals an entry names (its comma-separated patterns). */
export function principalsOf(entry: AllowedSigner): string[] {
  return entry.principals.split(',').filter(Boolean);
}

/** Lines of the list that name keys, one per line, in order: what merges and edits compare. */
function keyLines(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#') && parseAllowedSigners(l).length === 1);
}

const HEADER = [
  '# Allowed signers of the coordination records (ssh-keygen ALLOWED SIGNERS format).',
  '# Edited by `claude-orchestrator signing allow|revoke`; each change is a signed commit.',
];

/** The file text for these key lines: our header, then one line each, newline-terminated. */
export function formatAllowedSigners(lines: string[]): string {
  return `${[...HEADER, ...lines].join('\n')}\n`;
}

/**
 * `text` with `principal`'s key added (no change when that exact key is already allowed for the
 * principal). Returns the new text and whether it changed.
 */
export function allowSigner(text: string, principal: string, key: PublicKey): { text: string; changed: boolean } {
  const lines = keyLines(text);
  const exists = parseAllowedSigners(lines.join('\n')).some((e) => principalsOf(e).includes(principal) && e.key.base64 === key.base64);
  if (exists) return { text: formatAllowedSigners(lines), changed: false };
  return { text: formatAllowedSigners([...lines, signerLine(principal, key)]), changed: true };
}

/**
 * `text` without the lines that name `principal` (or, when `principal` is a key, that key). Returns
 * the new text and the lines removed.
 */
export function revokeSigner(text: string, principalOrKey: string): { text: string; removed: string[] } {
  const key = parsePublicKey(principalOrKey);
  const kept: string[] = [];
  const removed: string[] = [];
  for (const line of keyLines(text)) {
    const entry = parseAllowedSigners(line)[0]!;
    const hit = key ? entry.key.base64 === key.base64 : principalsOf(entry).includes(principalOrKey);
    (hit ? removed : kept).push(line);
  }
  return { text: formatAllowedSigners(kept), removed };
}

/**
 * Three-way merge of two lists by key line, as sets: a line added on either side is kept, a line
 * removed on either side (present in `base`) is dropped. Order: ours, then theirs' additions.
 */
export function mergeAllowedSigners(ours: string, base: string, theirs: string): string {
  const baseLines = new Set(keyLines(base));
  const oursLines = keyLines(ours);
  const theirsLines = keyLines(theirs);
  const theirsSet = new Set(theirsLines);
  const merged = oursLines.filter((l) => !baseLines.has(l) || theirsSet.has(l));
  const have = new Set(merged);
  for (const line of theirsLines) {
    if (!baseLines.has(line) && !have.has(line)) {
      merged.push(line);
      have.add(line);
    }
  }
  return formatAllowedSigners(merged);
}
