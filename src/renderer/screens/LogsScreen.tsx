import { memo, useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { DiagnosisView, LogLine } from '../../shared/contract/index.js';
import { useClient, useRunnerList } from '../contract-hooks.js';
import { CopyButton } from '../components/CopyButton.js';
import { LogStore, type LineList } from '../log-store.js';
import { useDiagnosisWords, type DiagnosisWords } from '../diagnosis-text.js';

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
            <option key={r.uuid} value={r.uuid}>
              {r.displayName}
            </option>
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
  const [store] = useState(() => new LogStore(MAX_LOG_LINES));
  // Held back while paused, but no more than the view itself keeps.
  const [pending] = useState(() => new LogStore(MAX_LOG_LINES));
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
    let incoming: LogLine[] = [];
    let frame = 0;
    store.clear();
    pending.clear();
    // Lines arrive in many small batches; the page takes them once per frame, so a fast log
    // costs one render per frame however it is batched on the way.
    const flush = () => {
      frame = 0;
      const batch = incoming;
      incoming = [];
      if (pausedRef.current) {
        pending.push(batch);
        setPendingCount(pending.length);
        return;
      }
      store.push(batch);
      setVersion((v) => v + 1);
    };
    const offLines = client.on('logs.lines', (e) => {
      if (e.runnerUuid !== runnerUuid || (subscriptionId !== undefined && e.subscriptionId !== subscriptionId)) return;
      for (const l of e.lines) incoming.push(l);
      if (!frame) frame = requestAnimationFrame(flush);
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
      const lastOfBacklog = r.value.backlog.at(-1)?.n ?? 0;
      const early = [...store.drain()].filter((l) => l.n > lastOfBacklog);
      store.push(r.value.backlog);
      store.push(early);
      setDiagnoses(r.value.diagnoses);
      setVersion((v) => v + 1);
    });
    return () => {
      closed = true;
      if (frame) cancelAnimationFrame(frame);
      offLines();
      offDiag();
      if (subscriptionId) void client.invoke('runners.logs.unsubscribe', { subscriptionId });
    };
  }, [client, runnerUuid, store, pending]);

  function togglePause() {
    const next = !paused;
    pausedRef.current = next;
    setPaused(next);
    if (!next && pending.length > 0) {
      store.push(pending.drain());
      setPendingCount(0);
      setVersion((v) => v + 1);
    }
  }

  const waitingForLine = useRef(false);
  const byLine = useMemo(() => {
    const map = new Map<number, DiagnosisView[]>();
    let missing = false;
    for (const d of diagnoses) {
      const n = d.lineNumber ?? store.findText(d.line)?.n;
      if (n === undefined) missing = true;
      else map.set(n, [...(map.get(n) ?? []), d]);
    }
    waitingForLine.current = missing;
    return map;
    // Rescanned per batch only while a diagnosis without a line number waits for its line.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [diagnoses, waitingForLine.current ? version : 0, store]);

  const needle = query.trim().toLowerCase();
  // The store is appended in place; `version` says when. Searching scans only the new lines.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const visible = useMemo<LineList>(() => (needle ? store.search(needle) : { length: store.length, at: (i) => store.at(i) }), [needle, version, store]);

  const virtualizer = useVirtualizer({
    count: visible.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 20,
    overscan: 20,
    getItemKey: (i) => (i < visible.length ? visible.at(i).n : i),
  });

  useEffect(() => {
    if (atBottom.current && visible.length > 0) virtualizer.scrollToIndex(visible.length - 1, { align: 'end' });
  }, [visible, virtualizer]);

  const copyText = () => store.texts(visible);
  const copyFixLabel = t('logs.copyFix');
  const describe = useDiagnosisWords();

  return (
    <section className="card logs" aria-label={t('logs.title')}>
      <div className="toolbar">
        <label htmlFor={searchId} className="visually-hidden">
          {t('logs.search')}
        </label>
        <input id={searchId} type="search" placeholder={t('logs.search')} value={query} onChange={(e) => setQuery(e.target.value)} />
        <button type="button" className="secondary" aria-pressed={paused} onClick={togglePause}>
          {paused ? t('logs.resume') : t('logs.pause')}
        </button>
        {/* Joined only when asked: doing it per batch for 100k lines would cost more than it gives. */}
        <CopyButton text={copyText} label={t('logs.copy')} />
        <span className="muted" aria-live="polite">
          {needle ? t('logs.matches', { count: visible.length }) : t('logs.lineCount', { count: store.length })}
          {paused && pendingCount > 0 ? ` · ${t('logs.pending', { count: pendingCount })}` : ''}
        </span>
      </div>
      {error && (
        <p role="alert" className="error-text">
          {error}
        </p>
      )}
      {diagnoses.length > 0 && (
        <div className="notice warn" role="status">
          <p>
            <strong>{t('logs.diagnoses', { count: diagnoses.length })}</strong>
          </p>
          <ul>
            {diagnoses.map((d, i) => {
              const words = describe(d);
              return (
                <li key={`${d.code}-${i}`}>
                  {words.message}
                  {words.where && <span className="diagnosis-where"> — {words.where}</span>}
                </li>
              );
            })}
          </ul>
        </div>
      )}
      <div
        ref={scroller}
        className="log-scroller"
        tabIndex={0}
        role="region"
        aria-label={t('logs.output')}
        onScroll={(e) => {
          const el = e.currentTarget;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
        }}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const line = visible.at(item.index);
            return (
              <LogRow
                key={item.key}
                index={item.index}
                start={item.start}
                line={line}
                needle={needle}
                found={byLine.get(line.n)}
                describe={describe}
                measure={virtualizer.measureElement}
                copyFixLabel={copyFixLabel}
              />
            );
          })}
        </div>
      </div>
    </section>
  );
}

interface LogRowProps {
  index: number;
  start: number;
  line: LogLine;
  needle: string;
  found: DiagnosisView[] | undefined;
  describe: (d: DiagnosisView) => DiagnosisWords;
  measure: (el: HTMLElement | null) => void;
  copyFixLabel: string;
}

/** Memoised: while lines stream in, only rows new to the window render. */
const LogRow = memo(function LogRow({ index, start, line, needle, found, describe, measure, copyFixLabel }: LogRowProps) {
  return (
    <div
      data-index={index}
      ref={measure}
      className={found ? 'log-row diagnosed' : 'log-row'}
      style={{ position: 'absolute', top: 0, left: 0, width: '100%', transform: `translateY(${start}px)` }}
    >
      <span className="log-n" aria-hidden="true">
        {line.n}
      </span>
      <span className="log-text">{highlight(line.text, needle)}</span>
      {found?.map((d) => {
        const words = describe(d);
        return (
          <div key={d.code} className="diagnosis">
            <p>
              {words.message}
              {words.where && <span className="diagnosis-where"> — {words.where}</span>}
            </p>
            <div className="fix">
              <code>{words.fix}</code>
              <CopyButton text={words.fix} label={copyFixLabel} />
            </div>
          </div>
        );
      })}
    </div>
  );
});

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
