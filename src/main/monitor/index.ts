export { RunnerMonitor } from './runner-monitor.js';
export type { RunnerMonitorDeps, RunnerSnapshot } from './runner-monitor.js';
export { Supervisor } from './supervisor.js';
export type { CrashVerdict, SupervisorOptions } from './supervisor.js';
export type { LogLineView, SiblingView, MonitorEvent, MonitorEventType } from './events.js';
