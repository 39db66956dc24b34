/**
 * `runner-tray vault use file|keyring`: the explicit choice of where runner secrets are kept,
 * remembered in settings (the window's "Keep secrets in a file" does the same). RUNNER_TRAY_VAULT,
 * when set, still wins. `vault` alone says which vault is in use and whether it opens.
 */
import { chooseVault, type ChosenVault } from '../../main/vault/vault-choice.js';
import type { Command } from '../command.js';
import { withContext } from '../context.js';
import { CliError } from '../errors.js';

const USE = 'vault use file|keyring';

export const vaultCommand: Command = {
  usage: `vault [use file|keyring]`,
  summary: 'Show the secrets vault in use, or choose it: "file" (a 0600 file in the data directory, not encrypted) or "keyring" (the OS keyring).',
  options: {},
  maxPositionals: 2,
  async run(args, io) {
    const [verb, backend] = args.positionals;
    if (verb === undefined) {
      return withContext(io, async (ctx) => {
        const name = ctx.vaultBackend();
        const where = ctx.env.RUNNER_TRAY_VAULT?.trim() ? 'RUNNER_TRAY_VAULT' : ctx.settings().get().vault ? 'settings' : 'the default';
        const vault = await ctx.vault();
        io.out(`${name} (chosen by ${where}): ${vault.location}\n`);
        return 0;
      });
    }
    if (verb !== 'use' || (backend !== 'file' && backend !== 'keyring')) {
      throw new CliError(
        'USAGE',
        `Usage: runner-tray ${USE}. "file" keeps secrets in a 0600 file in the data directory, not encrypted; "keyring" in the OS keyring.`,
        2,
      );
    }
    return withContext(io, async (ctx) => {
      const choice = await chooseVault(ctx, backend as ChosenVault);
      const what = choice.backend === 'file' ? 'a file readable only by you (mode 0600), not encrypted' : 'the OS keyring';
      io.out(`${choice.changed ? 'Runner secrets will be kept in' : 'Runner secrets are already kept in'} ${what}: ${choice.location}\n`);
      return 0;
    });
  },
};
