// Checking a commit's SSH signature in-process, for the common case: an Ed25519 key listed plainly
// in the allowed signers. Git runs two ssh-keygen processes per signed commit (`-Y
// find-principals`, `-Y verify`), about 15 ms each time; this takes a fraction of a millisecond,
// which is what makes checking a long fetched history affordable. Anything else (other key types,
// certificates, keys listed with time limits, an unreadable signature) is left to git: `decide`
// answers null for it. The verdicts are git's `%G?` letters, and the tests hold them to git's
// own on the same commits.
//
// Formats: the commit's `gpgsig` header (git's commit.c, parse_signed_commit: header lines from
// `gpgsig ` on, continued by lines starting with a space; the signed payload is the commit
// without them); the SSHSIG blob and what it signs (OpenSSH PROTOCOL.sshsig); Ed25519 keys and
// signatures in SSH wire format (RFC 8709); ALLOWED SIGNERS (ssh-keygen(1)).
import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import { parseAllowedSigners, principalsOf, type AllowedSigner } from '../core/allowed-signers.js';

/** What the in-process check concluded of one commit: git's `%G?` letter, the key's fingerprint and principal. */
export interface SignatureDecision {
  status: 'G' | 'B' | 'U' | 'N';
  fingerprint: string | null;
  principal: string | null;
}

/** The allowed signers, indexed for `decide`: key blob (base64) -> its entries. */
export class SignerIndex {
  private readonly byKey = new Map<string, AllowedSigner[]>();

  constructor(allowedSigners: string) {
    for (const entry of parseAllowedSigners(allowedSigners)) {
      const list = this.byKey.get(entry.key.base64) ?? [];
      list.push(entry);
      this.byKey.set(entry.key.base64, list);
    }
  }

  /**
   * The principal a plainly listed key signs git commits as; null when the key is not listed;
   * 'git' decides when an entry of the key has options we do not interpret (certificates,
   * `valid-after`/`valid-before`, other namespaces).
   */
  principalFor(keyBase64: string): string | null | 'git' {
    const entries = this.byKey.get(keyBase64);
    if (!entries) return null;
    for (const entry of entries) {
      const options = entry.options;
      if (options !== '' && !/^namespaces="[^"]*"$/.test(options)) return 'git';
      if (options !== '' && !options.slice('namespaces="'.length, -1).split(',').includes('git')) return 'git';
      const principal = principalsOf(entry)[0];
      if (!principal || /[*?!]/.test(principal)) return 'git';
      return principal;
    }
    return 'git';
  }
}

/** Splits a raw commit into its payload (without the `gpgsig` header) and that header's armored signature, or null when unsigned. */
export function splitSignedCommit(body: Buffer): { payload: Buffer; signature: string } | null {
  const text = body.toString('latin1'); // byte for byte: the payload is hashed as stored
  const end = text.indexOf('\n\n');
  const headerEnd = end < 0 ? text.length : end + 1;
  const lines = text.slice(0, headerEnd).split(/(?<=\n)/);
  const kept: string[] = [];
  const signature: string[] = [];
  let inSignature = false;
  for (const line of lines) {
    if (line.startsWith('gpgsig ')) {
      inSignature = true;
      signature.push(line.slice(7));
    } else if (inSignature && line.startsWith(' ')) signature.push(line.slice(1));
    else {
      inSignature = false;
      kept.push(line);
    }
  }
  if (signature.length === 0) return null;
  return { payload: Buffer.from(kept.join('') + text.slice(headerEnd), 'latin1'), signature: signature.join('') };
}

/** A reader of SSH wire strings (uint32 length, bytes). Throws on a truncated buffer. */
class Wire {
  private at = 0;
  constructor(private readonly buffer: Buffer) {}
  bytes(count: number): Buffer {
    if (this.at + count > this.buffer.length) throw new Error('truncated');
    const out = this.buffer.subarray(this.at, this.at + count);
    this.at += count;
    return out;
  }
  uint32(): number {
    return this.bytes(4).readUInt32BE(0);
  }
  string(): Buffer {
    return this.bytes(this.uint32());
  }
  get done(): boolean {
    return this.at === this.buffer.length;
  }
}

function sshString(data: Buffer | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/**
 * git's verdict on one raw commit, decided in-process against `signers`, or null when git must
 * decide it (not Ed25519, an entry with options we do not interpret, an unreadable signature).
 */
export function decide(body: Buffer, signers: SignerIndex): SignatureDecision | null {
  const signed = splitSignedCommit(body);
  if (!signed) return { status: 'N', fingerprint: null, principal: null };
  const armor = /^-----BEGIN SSH SIGNATURE-----\n([A-Za-z0-9+/=\n]+)-----END SSH SIGNATURE-----\n?$/.exec(signed.signature);
  if (!armor) return null;
  try {
    const blob = new Wire(Buffer.from(armor[1]!.replace(/\n/g, ''), 'base64'));
    if (blob.bytes(6).toString('latin1') !== 'SSHSIG' || blob.uint32() !== 1) return null;
    const publicKey = blob.string();
    const namespace = blob.string();
    const reserved = blob.string();
    const hashAlgorithm = blob.string().toString('latin1');
    const signature = new Wire(blob.string());
    if (!blob.done) return null;
    const key = new Wire(publicKey);
    if (key.string().toString('latin1') !== 'ssh-ed25519') return null;
    const point = key.string();
    if (point.length !== 32 || !key.done) return null;
    if (signature.string().toString('latin1') !== 'ssh-ed25519') return null;
    const raw = signature.string();
    if (raw.length !== 64 || !signature.done) return null;
    if (hashAlgorithm !== 'sha512' && hashAlgorithm !== 'sha256') return null;
    const keyBase64 = publicKey.toString('base64');
    const fingerprint = `SHA256:${createHash('sha256').update(publicKey).digest('base64').replace(/=+$/, '')}`;
    const principal = signers.principalFor(keyBase64);
    if (principal === 'git') return null;
    // git verifies with `-n git`: a signature made for another namespace does not verify.
    // (git reports neither key nor principal for a bad signature.)
    if (namespace.toString('latin1') !== 'git') return { status: 'B', fingerprint: null, principal: null };
    const message = Buffer.concat([
      Buffer.from('SSHSIG'),
      sshString(namespace),
      sshString(reserved),
      sshString(hashAlgorithm),
      sshString(createHash(hashAlgorithm).update(signed.payload).digest()),
    ]);
    const keyObject = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: point.toString('base64url') }, format: 'jwk' });
    if (!verifySignature(null, message, keyObject, raw)) return { status: 'B', fingerprint: null, principal: null };
    return principal ? { status: 'G', fingerprint, principal } : { status: 'U', fingerprint, principal: null };
  } catch {
    return null;
  }
}
