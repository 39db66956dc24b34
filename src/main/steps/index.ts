export { StepsService } from './steps-service.js';
export type { RunnerSnapshot, SiblingStats, StepsServiceDeps } from './steps-service.js';
export { Supervisor } from './supervisor.js';
export type { CrashVerdict, SupervisorOptions } from './supervisor.js';
export type { LogLineView, SiblingView, StepsEvent, StepsEventType } from './events.js';
