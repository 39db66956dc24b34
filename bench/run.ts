/**
 * `npm run bench`: every benchmark, one after another (they share the machine's two cores, so
 * never in parallel). Each prints its figures, its target, and where a baseline exists (the
 * docker CLI) the ratio measured in the same run. `npm run bench -- <name>` runs one.
 */
import { benchK8sApply } from './k8s-apply.js';
import { benchPools } from './pools.js';
import { benchRunnerStart } from './runner-start.js';
import { benchStepLog } from './step-log.js';
import { benchUi } from './ui.js';
import { benchSteps } from './steps.js';

const benches: Record<string, () => Promise<void>> = {
  'runner-start': benchRunnerStart,
  'step-log': benchStepLog,
  ui: benchUi,
  steps: benchSteps,
  'k8s-apply': benchK8sApply,
  pools: benchPools,
};

const only = process.argv.slice(2);
for (const name of only) {
  if (!(name in benches)) {
    console.error(`unknown bench '${name}'; known: ${Object.keys(benches).join(', ')}`);
    process.exit(2);
  }
}
for (const [name, bench] of Object.entries(benches)) {
  if (only.length && !only.includes(name)) continue;
  console.log(`\n=== ${name} ===`);
  await bench();
}
