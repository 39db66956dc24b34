/**
 * Versions before stops were recorded (settings' `stoppedAt`) left no trace of a user's stop, so
 * once a host judges "down without a recorded stop" as a crash, every runner a user had stopped
 * before the upgrade would be shown CRASHED and started again. The first long-running host of a
 * version that records stops takes the runners that are down at that moment as stopped by the
 * user (what earlier versions showed them as), once, and notes since when stops are recorded.
 */
import type { SettingsStore } from '../settings/settings-store.js';
import { recordStop } from './runner-records.js';
import type { RunnerStatus } from './runner-types.js';

const DOWN: ReadonlySet<RunnerStatus['containerState']> = new Set(['exited', 'dead', 'created']);

/** Returns the runners taken as stopped (none after the first time). */
export async function adoptEarlierStops(settings: SettingsStore, list: () => Promise<RunnerStatus[]>, log: (line: string) => void): Promise<string[]> {
  if (settings.get().stopsRecordedSince !== undefined) return [];
  const now = new Date().toISOString();
  const store = settings.runners();
  const adopted: string[] = [];
  for (const status of await list()) {
    const record = store.get(status.runnerUuid);
    if (!record || record.placement || record.stoppedAt || !DOWN.has(status.containerState)) continue;
    recordStop(store, status.runnerUuid, now);
    adopted.push(status.runnerUuid);
  }
  settings.update({ stopsRecordedSince: now });
  if (adopted.length > 0) {
    log(
      `${adopted.length === 1 ? '1 runner was' : `${adopted.length} runners were`} down when this version first ran (${adopted.join(', ')}): ` +
        'taken as stopped by you, as before; from now on a runner that is down without your stop is shown CRASHED and started again.',
    );
  }
  return adopted;
}
