/** `imports.*`: runner containers started by hand, listed and taken over (see runners/import.ts). */
import type { HandlerDeps, HandlersOf } from './types.js';

export function importHandlers(deps: HandlerDeps): HandlersOf<'imports'> {
  return {
    async 'imports.list'() {
      return deps.imports.candidates();
    },

    async 'imports.run'({ containerId }) {
      const imported = await deps.imports.importOne(containerId);
      return {
        runner: deps.toRunnerView(await deps.runners.status(imported.runnerUuid)),
        previousContainerId: imported.previousContainerId,
        warnings: imported.warnings,
      };
    },
  };
}
