import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { DiagnosisView, LogLine } from '../../shared/contract/index.js';
import { useChannel, useClient, useRunnerList } from '../contract-hooks.js';
import { CopyButton } from '../components/CopyButton.js';

/** Older lines are dropped beyond this, so a runner left for days cannot fill the page's memory. */
export const MAX_LOG_LINES = 200_000;

export function LogsScreen({ initialRunner }: { initialRunner?: string }) {
  const { t } = useTranslation();
  const runners = useRunnerList();
  const [runnerUuid, setRunnerUuid] = useState<string | undefined>(initialRunner);
  const selectId = useId();
  const list = runners.value ?? [];
  const selected = runnerUuid ?? list[0]?.uuid;

  return (
    <>
      <div className="toolbar">
        <label htmlFor={selectId}>{t('logs.runner')}</label>
        <select id={selectId} value={selected ?? ''} onChange={(e) => setRunnerUuid(e.target.value)} disabled={list.length === 0}>
          {list.map((r) => (
            <option key={r.uuid} value={r.uuid}>{r.displayName}</option>
          ))}
        </select>
      </div>
      {list.length === 0 && !runners.loading && <p className="muted">{t('logs.noRunners')}</p>}
      {selected && <LogView key={selected} runnerUuid={selected} />}
    </>
  );
}

function LogView({ runnerUuid }: { runnerUuid: string }) {
  const { t } = useTranslation();
  const client = useClient();
  const searchId = useId();
  const lines = useRef<LogLine[]>([]);
  const pending = useRef<LogLine[]>([]);
  const [version, setVersion] = useState(0);
  const [pendingCount, setPendingCount] = useState(0);
  const [paused, setPaused] = useState(false);
  const pausedRef = useRef(false);
  const [query, setQuery] = useState('');
  const [diagnoses, setDiagnoses] = useState<DiagnosisView[]>([]);
  const [error, setError] = useState<string>();
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);

  useEffect(() => {
    let subscriptionId: string | undefined;
    let closed = false;
    lines.current = [];
    const append = (batch: LogLine[]) => {
      if (pausedRef.current) {
        // Held back while paused, but no more than the view itself keeps.
        const held = pending.current;
        for (const l of batch) held.push(l);
        if (held.length > MAX_LOG_LINES) held.splice(0, held.length - MAX_LOG_LINES);
        setPendingCount(held.length);
        return;
      }
      const all = lines.current;
      for (const l of batch) all.push(l);
      if (all.length > MAX_LOG_LINES) all.splice(0, all.length - MAX_LOG_LINES);
      setVersion((v) => v + 1);
    };
    const offLines = client.on('logs.lines', (e) => {
      if (e.runnerUuid === runnerUuid && (subscriptionId === undefined || e.subscriptionId === subscriptionId)) append(e.lines);
    });
    const offDiag = client.on('diagnosis', (e) => {
      if (e.runnerUuid === runnerUuid) setDiagnoses((d) => [...d, e.diagnosis]);
    });
    void client.invoke('runners.logs.subscribe', { runnerUuid }).then((r) => {
      if (!r.ok) {
        setError(r.error.message);
        return;
      }
      subscriptionId = r.value.subscriptionId;
      if (closed) {
        void client.invoke('runners.logs.unsubscribe', { subscriptionId });
        return;
      }
      lines.current = [...r.value.backlog, ...lines.current.filter((l) => l.n > (r.value.backlog.at(-1)?.n ?? 0))];
      setDiagnoses(r.value.diagnoses);
      setVersion((v) => v + 1);
    });
    return () => {
      closed = true;
      offLines();
      offDiag();
      if (subscriptionId) void client.invoke('runners.logs.unsubscribe', { subscriptionId });
    };
  }, [client, runnerUuid]);

  function togglePause() {
    const next = !paused;
    pausedRef.current = next;
    setPaused(next);
    if (!next && pending.current.length > 0) {
      lines.current.push(...pending.current);
      pending.current = [];
      setPendingCount(0);
      setVersion((v) => v + 1);
    }
  }

  const byLine = useMemo(() => {
    const map = new Map<number, DiagnosisView[]>();
    for (const d of diagnoses) {
      const n = d.lineNumber ?? lines.current.find((l) => l.text === d.line)?.n;
      if (n !== undefined) map.set(n, [...(map.get(n) ?? []), d]);
    }
    return map;
    // version: lines without a number are matched once they have arrived
  }, [diagnoses, version]);

  const needle = query.trim().toLowerCase();
  const visible = useMemo(
    () => (needle ? lines.current.filter((l) => l.text.toLowerCase().includes(needle)) : lines.current),
    // the array is mutated in place; version says when
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [needle, version],
  );

  const virtualizer = useVirtualizer({
    count: visible.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 20,
    overscan: 20,
    getItemKey: (i) => visible[i]?.n ?? i,
  });

  useEffect(() => {
    if (atBottom.current && visible.length > 0) virtualizer.scrollToIndex(visible.length - 1, { align: 'end' });
  }, [visible.length, virtualizer]);

  const copyText = () => visible.map((l) => l.text).join('\n');

  return (
    <section className="card logs" aria-label={t('logs.title')}>
      <div className="toolbar">
        <label htmlFor={searchId} className="visually-hidden">{t('logs.search')}</label>
        <input id={searchId} type="search" placeholder={t('logs.search')} value={query} onChange={(e) => setQuery(e.target.value)} />
        <button type="button" className="secondary" aria-pressed={paused} onClick={togglePause}>
          {paused ? t('logs.resume') : t('logs.pause')}
        </button>
        {/* Joined only when asked: doing it per batch for 100k lines would cost more than it gives. */}
        <CopyButton text={copyText} label={t('logs.copy')} />
        <span className="muted" aria-live="polite">
          {needle ? t('logs.matches', { count: visible.length }) : t('logs.lineCount', { count: lines.current.length })}
          {paused && pendingCount > 0 ? ` · ${t('logs.pending', { count: pendingCount })}` : ''}
        </span>
      </div>
      {error && <p role="alert" className="error-text">{error}</p>}
      {diagnoses.length > 0 && (
        <div className="notice warn" role="status">
          <p><strong>{t('logs.diagnoses', { count: diagnoses.length })}</strong></p>
          <ul>
            {diagnoses.map((d, i) => (
              <li key={`${d.code}-${i}`}>{d.message}</li>
            ))}
          </ul>
        </div>
      )}
      <div ref={scroller} className="log-scroller" tabIndex={0} role="region" aria-label={t('logs.output')}
        onScroll={(e) => {
          const el = e.currentTarget;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
        }}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const line = visible[item.index]!;
            const found = byLine.get(line.n);
            return (
              <div key={item.key} data-index={item.index} ref={virtualizer.measureElement}
                className={found ? 'log-row diagnosed' : 'log-row'}
                style={{ position: 'absolute', top: 0, left: 0, width: '100%', transform: `translateY(${item.start}px)` }}>
                <span className="log-n" aria-hidden="true">{line.n}</span>
                <span className="log-text">{highlight(line.text, needle)}</span>
                {found?.map((d) => (
                  <div key={d.code} className="diagnosis">
                    <p>{d.message}</p>
                    <div className="fix">
                      <code>{d.fix}</code>
                      <CopyButton text={d.fix} label={t('logs.copyFix')} />
                    </div>
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}

function highlight(text: string, needle: string): ReactNode {
  if (!needle) return text;
  const at = text.toLowerCase().indexOf(needle);
  if (at < 0) return text;
  return (
    <>
      {text.slice(0, at)}
      <mark>{text.slice(at, at + needle.length)}</mark>
      {text.slice(at + needle.length)}
    </>
  );
}
