import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { PoolRunnerView, PoolView } from '../../shared/contract/index.js';
import { PoolChart } from './PoolChart.js';
import { formatDuration, formatTime } from '../format.js';
import { useNow } from '../contract-hooks.js';

/** One pool: what it is set to, what it has now and why, its runners, what it did, and its last hour. */
export function PoolCard({ pool }: { pool: PoolView }) {
  const { t } = useTranslation();
  const id = useId();
  const { counts } = pool;
  return (
    <li className="card pool" aria-labelledby={id}>
      <div className="runner-head">
        <h2 id={id} className="runner-name">
          {pool.name}
        </h2>
        <span className={`badge pool-${pool.status}`}>{t(`pools.status.${pool.status}`)}</span>
      </div>
      {pool.problem && (
        <p className="notice warn pool-problem" role="status">
          {pool.problem}
        </p>
      )}
      <div className="pool-now">
        <dl className="facts pool-counts" aria-label={t('pools.countsLabel')}>
          <div>
            <dt>{t('pools.count.desired')}</dt>
            <dd>{pool.desired}</dd>
          </div>
          <div>
            <dt>{t('pools.count.busy')}</dt>
            <dd>{counts.busy}</dd>
          </div>
          <div>
            <dt>{t('pools.count.idle')}</dt>
            <dd>{counts.idle}</dd>
          </div>
          <div>
            <dt>{t('pools.count.starting')}</dt>
            <dd>{counts.starting}</dd>
          </div>
          <div>
            <dt>{t('pools.count.waiting')}</dt>
            <dd>{counts.waiting}</dd>
          </div>
        </dl>
        <PoolChart history={pool.history} max={pool.max} />
      </div>
      <PoolLines pool={pool} />
      <PoolSettings pool={pool} />
      <PoolRunners runners={pool.runners} />
      <PoolActivity pool={pool} />
    </li>
  );
}

function PoolLines({ pool }: { pool: PoolView }) {
  const { t } = useTranslation();
  const lines = [
    ...(pool.cappedBy ? [t(`pools.cappedBy.${pool.cappedBy}`, { max: pool.max })] : []),
    ...(pool.counts.waitingUnknownLabels > 0 ? [t('pools.unknownLabels', { count: pool.counts.waitingUnknownLabels })] : []),
    ...(pool.counts.offline > 0 ? [t('pools.offline', { count: pool.counts.offline })] : []),
    ...pool.notes,
  ];
  if (lines.length === 0) return null;
  return (
    <ul className="pool-lines" aria-label={t('pools.linesLabel')}>
      {lines.map((line) => (
        <li key={line}>{line}</li>
      ))}
    </ul>
  );
}

function PoolSettings({ pool }: { pool: PoolView }) {
  const { t } = useTranslation();
  const rows: Array<[string, string]> = [
    ['workspace', pool.repository ? `${pool.workspace}/${pool.repository}` : pool.workspace],
    ['labels', pool.labels.length > 0 ? pool.labels.join(', ') : '—'],
    ['range', t('pools.rangeValue', { min: pool.min, max: pool.max, idle: pool.idle })],
    ['coolDown', formatDuration(pool.coolDownSeconds * 1000, t)],
    ['on', pool.kubernetes ? t('pools.onKubernetes', { namespace: pool.kubernetes.namespace, context: pool.kubernetes.context ?? '—' }) : t('pools.onDocker')],
    ['size', pool.size],
  ];
  return (
    <details className="pool-settings">
      <summary>{t('pools.settings')}</summary>
      <dl className="facts">
        {rows.map(([key, value]) => (
          <div key={key}>
            <dt>{t(`pools.setting.${key}`)}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

function PoolRunners({ runners }: { runners: PoolRunnerView[] }) {
  const { t, i18n } = useTranslation();
  const now = useNow(5000);
  if (runners.length === 0) return <p className="muted">{t('pools.noRunners')}</p>;
  return (
    <div className="table-wrap">
      <table aria-label={t('pools.runnersLabel')}>
        <thead>
          <tr>
            <th scope="col">{t('pools.col.runner')}</th>
            <th scope="col">{t('pools.col.state')}</th>
            <th scope="col">{t('pools.col.since')}</th>
            <th scope="col">{t('pools.col.reason')}</th>
          </tr>
        </thead>
        <tbody>
          {runners.map((r) => (
            <tr key={r.runnerUuid}>
              <td>{r.displayName}</td>
              <td>
                <span className={`badge pool-runner-${r.state}`}>{t(`pools.runnerState.${r.state}`)}</span>
              </td>
              <td title={r.since ? formatTime(r.since, i18n.language) : undefined}>{r.since ? formatDuration(now - Date.parse(r.since), t) : '—'}</td>
              <td>{r.reason ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PoolActivity({ pool }: { pool: PoolView }) {
  const { t, i18n } = useTranslation();
  if (pool.activity.length === 0) return null;
  // Newest first on screen: what just happened is what the user came to read.
  const lines = [...pool.activity].reverse();
  return (
    <details className="pool-activity" open>
      <summary>{t('pools.activity')}</summary>
      <ol aria-label={t('pools.activityLabel', { name: pool.name })}>
        {lines.map((a, i) => (
          <li key={`${a.at}-${i}`}>
            <time dateTime={a.at}>{new Date(a.at).toLocaleTimeString(i18n.language, { timeStyle: 'medium' })}</time> {a.line}
          </li>
        ))}
      </ol>
    </details>
  );
}
