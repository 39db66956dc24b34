/**
 * Short-lived: the steps service is now the runner monitor (`main/monitor/`). This re-export
 * keeps branches written against the old name compiling until they are merged; delete it then.
 */
export { RunnerMonitor as StepsService } from '../monitor/runner-monitor.js';
export type { RunnerMonitorDeps as StepsServiceDeps, RunnerSnapshot } from '../monitor/runner-monitor.js';
