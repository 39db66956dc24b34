import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { Channel, RunnerView, StepView, ContractClient, ContractError, EventOf, EventType, RequestOf, ResponseOf } from '../shared/contract/index.js';

const ClientContext = createContext<ContractClient | null>(null);

export function ClientProvider({ client, children }: { client: ContractClient; children: ReactNode }) {
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

export function useClient(): ContractClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient outside ClientProvider');
  return client;
}

export function useEvent<E extends EventType>(type: E, listener: (event: EventOf<E>) => void): void {
  const client = useClient();
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => client.on(type, (e) => ref.current(e)), [client, type]);
}

/** Collapses bursts of events into one refetch. */
export const REFETCH_DEBOUNCE_MS = 100;

export interface ChannelState<C extends Channel> {
  value: ResponseOf<C> | undefined;
  error: ContractError | undefined;
  loading: boolean;
  refetch: () => void;
  /** Change the fetched value in place, from what an event carried (no request). */
  patch: (update: (value: ResponseOf<C>) => ResponseOf<C>) => void;
}

/**
 * Fetch a channel, and fetch it again (debounced) when one of `refetchOn`
 * arrives. While the window is hidden nothing is fetched; one refetch follows
 * when it is shown again, if anything changed meanwhile.
 */
export function useChannel<C extends Channel>(channel: C, payload: RequestOf<C>, refetchOn: readonly EventType[]): ChannelState<C> {
  const client = useClient();
  const [value, setValue] = useState<ResponseOf<C>>();
  const [error, setError] = useState<ContractError>();
  const [loading, setLoading] = useState(true);
  const key = JSON.stringify(payload);
  const generation = useRef(0);

  const fetchNow = useCallback(() => {
    const mine = ++generation.current;
    void client.invoke(channel, JSON.parse(key) as RequestOf<C>).then((result) => {
      if (mine !== generation.current) return;
      setLoading(false);
      if (result.ok) {
        setValue(result.value);
        setError(undefined);
      } else {
        setError(result.error);
      }
    });
  }, [client, channel, key]);

  useEffect(() => {
    fetchNow();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let dirty = false;
    const schedule = () => {
      if (document.hidden) {
        dirty = true;
        return;
      }
      clearTimeout(timer);
      timer = setTimeout(fetchNow, REFETCH_DEBOUNCE_MS);
    };
    const onVisible = () => {
      if (!document.hidden && dirty) {
        dirty = false;
        fetchNow();
      }
    };
    const offs = [...refetchOn, 'resync' as const].map((t) => client.on(t, schedule));
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearTimeout(timer);
      offs.forEach((off) => off());
      document.removeEventListener('visibilitychange', onVisible);
    };
    // refetchOn is a constant list per call site
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, fetchNow]);

  const patch = useCallback((update: (value: ResponseOf<C>) => ResponseOf<C>) => {
    setValue((v) => (v === undefined ? v : update(v)));
  }, []);

  return { value, error, loading, refetch: fetchNow, patch };
}

/**
 * The runner list, kept current from `runner.changed` (which carries the whole view, CPU and
 * memory included) and `runner.removed`, without asking the service again: `runners.list` reads
 * the engine, and usage figures arrive every 2 s per runner. Refetched only on `resync`.
 */
export function useRunnerList(): ChannelState<'runners.list'> {
  // Also when the engine comes or goes: a list read while Docker was down failed, and events patch nothing into it.
  const list = useChannel('runners.list', {}, ['engine.connection']);
  const { patch } = list;
  useEvent('runner.changed', (e) => {
    patch((runners) => {
      const i = runners.findIndex((r) => r.uuid === e.runner.uuid);
      if (i < 0) return [...runners, e.runner];
      const next: RunnerView[] = runners.slice();
      next[i] = e.runner;
      return next;
    });
  });
  useEvent('runner.removed', (e) => patch((runners) => runners.filter((r) => r.uuid !== e.runnerUuid)));
  return list;
}

/**
 * Running and recent steps, kept current from `step.changed` (which carries the whole step view),
 * so a row changes as soon as the event arrives rather than after a debounced `steps.list`.
 * Refetched only on `resync` (events may have been lost).
 */
export function useStepList(): ChannelState<'steps.list'> {
  const list = useChannel('steps.list', {}, []);
  const { patch } = list;
  useEvent('step.changed', (e) => {
    patch((steps) => {
      const i = steps.findIndex((s) => s.stepUuid === e.step.stepUuid && s.runnerUuid === e.step.runnerUuid);
      if (i < 0) return [e.step, ...steps];
      const next: StepView[] = steps.slice();
      next[i] = e.step;
      return next;
    });
  });
  return list;
}

/** The clock, ticking while the page is visible (uptimes, running durations). */
export function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => {
      if (!document.hidden) setNow(Date.now());
    }, intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}

/**
 * The pools as their controllers saw them last, kept current from `pool.changed` (which carries
 * the whole view, the last hour included) and `pool.removed`. Refetched only on `resync`.
 */
export function usePoolList(): ChannelState<'pools.list'> {
  const list = useChannel('pools.list', {}, []);
  const { patch } = list;
  useEvent('pool.changed', (e) => {
    patch((pools) => {
      const i = pools.findIndex((p) => p.name === e.pool.name);
      if (i < 0) return [...pools, e.pool].sort((a, b) => a.name.localeCompare(b.name));
      const next = pools.slice();
      next[i] = e.pool;
      return next;
    });
  });
  useEvent('pool.removed', (e) => patch((pools) => pools.filter((p) => p.name !== e.name)));
  return list;
}
