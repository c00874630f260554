// signing enable | allow | revoke | status: signed records (docs/sharing.md, "Signed records").
import type { CAC } from 'cac';
import type { SignerView } from '../../app/operations/signing.js';
import { CliError, optionalString, type CliContext } from '../context.js';
// Loaded on use: `--help` and other commands need not pay for it.
const signing = () => import('../../app/operations/signing.js');

function listSigners(signers: SignerView[]): string {
  if (signers.length === 0) return '  (nobody)';
  return signers.map((s) => `  ${s.principals.join(',')}  ${s.type}  ${s.fingerprint}`).join('\n');
}

export function register(cli: CAC, ctx: CliContext): void {
  cli
    .command('signing enable', 'Sign this machine\'s records with an ssh key, list its public key among the allowed signers, and check the remotes\' records')
    .option('--key <file>', 'The ssh key (its private key, or its .pub with the private key beside it or in ssh-agent)')
    .option('--principal <name>', 'The name the allowed signers give the key (default: the key\'s comment)')
    .example((bin) => `  $ ${bin} signing enable --key ~/.ssh/id_ed25519`)
    .action(async (options: { key?: unknown; principal?: unknown }) => {
      const key = optionalString(options.key);
      if (!key) throw new CliError('signing enable needs --key <file>', 'e.g. --key ~/.ssh/id_ed25519 (make one with: ssh-keygen -t ed25519)');
      const principal = optionalString(options.principal);
      const result = await (await signing()).enableSigning((await ctx.app()).ctx, { key, ...(principal ? { principal } : {}) });
      ctx.out(result, () =>
        [
          `Records of this machine are now signed with ${result.key} (${result.fingerprint}) as ${result.principal}.`,
          result.list.startsWith('remote')
            ? `The allowed signers were taken from ${result.list} (trusted on first use: check these fingerprints with their owners):`
            : 'Allowed signers:',
          listSigners(result.signers),
          `Share the list with: ${ctx.bin} sync. Teammates who already sign add your key with:`,
          `  ${ctx.bin} signing allow ${result.principal} '<your public key>'`,
        ].join('\n'),
      );
    });

  cli
    .command('signing allow <principal> <key>', 'Allow a teammate\'s key (its text, quoted, or its .pub file): their signed records are accepted')
    .example((bin) => `  $ ${bin} signing allow bob@desktop ~/keys/bob.pub`)
    .action(async (principal: string, key: string) => {
      const result = await (await signing()).allowSigner((await ctx.app()).ctx, { principal, key });
      ctx.out(result, () =>
        `${result.changed ? 'Allowed' : 'Already allowed:'} ${result.principal} (${result.fingerprint}); shared at the next sync.\nAllowed signers:\n${listSigners(result.signers)}`,
      );
    });

  cli
    .command('signing revoke <principal>', 'Remove a principal\'s keys (or one key, given as its text) from the allowed signers')
    .option('--force', 'Also when it is the key this machine signs with (the others then refuse this machine\'s records)')
    .action(async (principal: string, options: { force?: unknown }) => {
      const result = await (await signing()).revokeSigner((await ctx.app()).ctx, { principal, force: options.force === true });
      ctx.out(result, () =>
        [
          `Revoked ${result.removed.join(', ')}; shared at the next sync.`,
          ...(result.warning ? [`warning: ${result.warning}`] : []),
          `Allowed signers:\n${listSigners(result.signers)}`,
        ].join('\n'),
      );
    });

  cli.command('signing status', 'Whether this machine signs and checks, its key, the allowed signers, and records refused at the last sync').action(async () => {
    const status = await (await signing()).signingStatus((await ctx.app()).ctx);
    if (status.refused.length > 0 || status.problems.length > 0) ctx.exitCode = 1;
    ctx.out(status, () => {
      const agent = status.agent ? 'an ssh-agent is reachable here (SSH_AUTH_SOCK)' : 'no ssh-agent here (SSH_AUTH_SOCK not set)';
      const lines = [
        status.key ? `Signing with ${status.key}${status.fingerprint ? ` (${status.fingerprint})` : ''}` : 'This machine does not sign its records',
        ...(status.signs === true ? [`A test signature worked (${agent}; servers and hooks sign in their own environment)`] : []),
        status.verifying ? 'Checking the remotes\' records against the allowed signers:' : 'Not checking the remotes\' records (no allowed signers here)',
      ];
      if (status.verifying) lines.push(listSigners(status.signers));
      for (const remote of status.remotesWithSigners) {
        lines.push(`${remote} keeps allowed signers: join with ${ctx.bin} signing enable --key <ssh key>`);
      }
      for (const problem of status.problems) lines.push(`problem: ${problem}`);
      for (const refused of status.refused) lines.push(`problem: ${refused}`);
      return lines.join('\n');
    });
  });
}
