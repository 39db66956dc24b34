/** Everything the services push to the UI, one union. The UI refetches or patches on these; it never polls. */
import type { PoolView } from './pool-views.js';
import type { BitbucketRunnersView, HostStatusView, DiagnosisView, LogLine, QueuedStepView, RunnerView, SettingsView, StepView } from './views.js';

export type NotificationKind = 'stepFailed' | 'runnerCrashed' | 'runnerOnline';

export type ContractEvent =
  | { type: 'runner.changed'; runner: RunnerView }
  | { type: 'runner.removed'; runnerUuid: string }
  | { type: 'step.changed'; step: StepView }
  | { type: 'diagnosis'; runnerUuid: string; diagnosis: DiagnosisView }
  /** A batch of followed log lines for one subscription, oldest first. */
  | { type: 'logs.lines'; subscriptionId: string; runnerUuid: string; lines: LogLine[] }
  | {
      type: 'pull.progress';
      image: string;
      runnerUuid?: string;
      phase: 'pulling' | 'done' | 'failed';
      /** Bytes summed over layers; absent while Docker does not know the size yet. */
      currentBytes?: number;
      totalBytes?: number;
      message?: string;
    }
  | { type: 'queued.changed'; connected: boolean; steps: QueuedStepView[]; runners?: BitbucketRunnersView }
  | { type: 'settings.changed'; settings: SettingsView }
  | { type: 'engine.connection'; connected: boolean; message?: string }
  /** What keeps this host from working fully (no engine yet, no usable vault), whenever it changes. */
  | { type: 'host.status'; status: HostStatusView }
  /**
   * A desktop notification the host shows in its own words; the payload carries
   * the facts, so each host (Electron, browser) can phrase and localise it.
   */
  | {
      type: 'notification';
      kind: NotificationKind;
      runnerUuid: string;
      runnerDisplayName: string;
      step?: { stepUuid: string; stepName?: string; repositoryFullName?: string };
      /** The newest known problem behind it (since the step began, for a failed step), with its container role. */
      diagnosis?: DiagnosisView;
    }
  /** A pool's view changed (each observation that changed it, and add/edit); `pool.removed` once it is gone. */
  | { type: 'pool.changed'; pool: PoolView }
  | { type: 'pool.removed'; name: string }
  /**
   * Sent by a transport, not a service: the event stream was interrupted and
   * events may have been lost, so every view should refetch.
   */
  | { type: 'resync' };

export type EventType = ContractEvent['type'];
export type EventOf<T extends EventType> = Extract<ContractEvent, { type: T }>;

export const EVENT_TYPES: readonly EventType[] = [
  'runner.changed',
  'runner.removed',
  'step.changed',
  'diagnosis',
  'logs.lines',
  'pull.progress',
  'queued.changed',
  'settings.changed',
  'engine.connection',
  'host.status',
  'notification',
  'pool.changed',
  'pool.removed',
  'resync',
];

export function isContractEvent(value: unknown): value is ContractEvent {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string' &&
    (EVENT_TYPES as readonly string[]).includes((value as { type: string }).type)
  );
}
