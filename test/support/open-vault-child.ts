/**
 * Runs openVault in a fresh process (the keyring library keeps its D-Bus connection
 * per process) and prints the outcome as one JSON line, for tests that change the
 * session environment, e.g. remove the D-Bus session bus.
 */
import { openVault } from '../../src/main/vault/select-vault.js';

const dataDir = process.argv[2] ?? '/nonexistent';
try {
  const vault = await openVault({ env: process.env, dataDir });
  console.log(JSON.stringify({ ok: true, backend: vault.backend, location: vault.location }));
} catch (e) {
  const err = e as { code?: string; message?: string; name?: string };
  console.log(JSON.stringify({ ok: false, name: err.name, code: err.code, message: err.message }));
}
