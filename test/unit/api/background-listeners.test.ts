/**
 * The desktop app's tray and notifications listen all the time; they must hear events without
 * counting as a UI that looks (which keeps Bitbucket polling and stats streams open).
 */
import { describe, expect, it } from 'vitest';
import { ApiEvents } from '../../../src/main/api/api-events.js';
import type { RunnerService } from '../../../src/main/runners/runner-service.js';
import type { RunnerMonitor } from '../../../src/main/monitor/runner-monitor.js';
import type { ContractEvent } from '../../../src/shared/contract/events.js';

function hub(watched: boolean[]) {
  // ApiEvents only subscribes to the services' emitters here; nothing else of theirs is touched.
  const emitter = { events: { on: () => () => undefined } };
  return new ApiEvents({
    runners: emitter as unknown as RunnerService,
    steps: emitter as unknown as RunnerMonitor,
    runnerView: async () => null,
    onWatched: (w) => watched.push(w),
  });
}

describe('ApiEvents background listeners', () => {
  it('a watching: false listener hears events but never turns watching on', () => {
    const watched: boolean[] = [];
    const events = hub(watched);
    const heard: ContractEvent[] = [];
    const off = events.on((e) => heard.push(e), { watching: false });
    events.emit({ type: 'resync' });
    expect(heard).toEqual([{ type: 'resync' }]);
    expect(watched).toEqual([]);
    expect(events.listenerCount).toBe(0);
    off();
    events.emit({ type: 'resync' });
    expect(heard).toHaveLength(1);
  });

  it('a window listener still switches watching on and off while a background one stays', () => {
    const watched: boolean[] = [];
    const events = hub(watched);
    const background: ContractEvent[] = [];
    const window: ContractEvent[] = [];
    events.on((e) => background.push(e), { watching: false });
    const offWindow = events.on((e) => window.push(e));
    events.emit({ type: 'engine.connection', connected: true });
    offWindow();
    events.emit({ type: 'engine.connection', connected: false });
    expect(watched).toEqual([true, false]);
    expect(window).toHaveLength(1);
    expect(background).toHaveLength(2);
  });
});
