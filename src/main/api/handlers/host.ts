/**
 * `host.*`: the preflight of this machine, judged from the same facts `runner-tray doctor` reads;
 * what keeps the host from working fully; and the user's explicit vault choice.
 */
import type { HostStatusView, PreflightView } from '../../../shared/contract/views.js';
import { preflight } from '../../../shared/preflight/index.js';
import type { HandlerDeps, HandlersOf } from './types.js';

export function hostHandlers(deps: HandlerDeps): HandlersOf<'host'> {
  return {
    async 'host.preflight'(): Promise<PreflightView> {
      const report = preflight(await deps.hostFacts());
      return { findings: report.findings.map((f) => ({ id: f.id, status: f.status, message: f.message, ...(f.fix ? { fix: f.fix } : {}) })) };
    },
    async 'host.status'(): Promise<HostStatusView> {
      return deps.hostStatus.current;
    },
    async 'host.useVault'({ backend }): Promise<HostStatusView> {
      await deps.chooseVault(backend);
      return deps.hostStatus.refreshVault();
    },
  };
}
