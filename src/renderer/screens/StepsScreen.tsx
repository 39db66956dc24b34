import { useTranslation } from 'react-i18next';
import { stepUrl } from '../../shared/contract/step-link.js';
import type { BitbucketRunnersView, QueuedStepView, RunnerView, StepView } from '../../shared/contract/index.js';
import { useChannel, useNow, useRunnerList, useStepList } from '../contract-hooks.js';
import { StepStateBadge } from '../components/StateBadge.js';
import { formatDuration, formatTime, shortUuid } from '../format.js';

export function StepsScreen() {
  const { t } = useTranslation();
  const runners = useRunnerList();
  const steps = useStepList();
  const queued = useChannel('steps.queued', {}, ['queued.changed', 'settings.changed']);

  const byRunner = new Map<string, StepView[]>();
  for (const s of steps.value ?? []) byRunner.set(s.runnerUuid, [...(byRunner.get(s.runnerUuid) ?? []), s]);

  return (
    <>
      <section className="card" aria-labelledby="queued-title">
        <h2 id="queued-title">{t('steps.queued')}</h2>
        {queued.error && (
          <p role="alert" className="error-text">
            {queued.error.message}
          </p>
        )}
        {queued.value && !queued.value.connected && <p className="muted">{t('steps.notConnected')}</p>}
        {queued.value?.connected && queued.value.steps.length === 0 && <p className="muted">{t('steps.noneQueued')}</p>}
        {queued.value?.connected && queued.value.steps.length > 0 && <QueuedTable steps={queued.value.steps} />}
      </section>
      {queued.value?.connected && queued.value.runners && <BitbucketRunners view={queued.value.runners} ours={runners.value ?? []} />}
      {steps.error && (
        <p role="alert" className="error-text">
          {steps.error.message}
        </p>
      )}
      {(runners.value ?? []).map((r) => (
        <RunnerSteps key={r.uuid} runner={r} steps={byRunner.get(r.uuid) ?? []} />
      ))}
      {runners.value?.length === 0 && <p className="muted">{t('steps.noRunners')}</p>}
    </>
  );
}

function QueuedTable({ steps }: { steps: QueuedStepView[] }) {
  const { t, i18n } = useTranslation();
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">{t('steps.col.repository')}</th>
            <th scope="col">{t('steps.col.pipeline')}</th>
            <th scope="col">{t('steps.col.step')}</th>
            <th scope="col">{t('steps.col.labels')}</th>
            <th scope="col">{t('steps.col.queuedAt')}</th>
          </tr>
        </thead>
        <tbody>
          {steps.map((s) => {
            const url = stepUrl({ stepUuid: s.stepUuid, workspace: s.workspace, repoSlug: s.repoSlug, buildNumber: s.buildNumber });
            return (
              <tr key={s.stepUuid}>
                <td>
                  {s.workspace}/{s.repoSlug}
                </td>
                <td>#{s.buildNumber}</td>
                <td>
                  {url ? (
                    <a href={url} target="_blank" rel="noreferrer">
                      {s.stepName}
                    </a>
                  ) : (
                    s.stepName
                  )}
                </td>
                <td>
                  <code>{s.runsOn.join(', ')}</code>
                </td>
                <td>{formatTime(s.queuedAt, i18n.language)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const bareUuid = (uuid: string) => uuid.replace(/[{}]/g, '').toLowerCase();

/** Our runners as Bitbucket sees them: whether it thinks they are online and busy, their labels, and ours it does not list. */
function BitbucketRunners({ view, ours }: { view: BitbucketRunnersView; ours: RunnerView[] }) {
  const { t, i18n } = useTranslation();
  const nameOf = (uuid: string) => ours.find((r) => bareUuid(r.uuid) === bareUuid(uuid))?.displayName;
  return (
    <section className="card" aria-labelledby="bitbucket-runners-title">
      <h2 id="bitbucket-runners-title">{t('steps.bitbucketRunners.title')}</h2>
      {view.error && (
        <p role="alert" className="error-text">
          {t('steps.bitbucketRunners.error', { message: view.error })}
        </p>
      )}
      {view.listed.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('steps.bitbucketRunners.col.runner')}</th>
                <th scope="col">{t('steps.bitbucketRunners.col.status')}</th>
                <th scope="col">{t('steps.bitbucketRunners.col.busy')}</th>
                <th scope="col">{t('steps.bitbucketRunners.col.labels')}</th>
                <th scope="col">{t('steps.bitbucketRunners.col.updated')}</th>
              </tr>
            </thead>
            <tbody>
              {view.listed.map((r) => {
                const local = nameOf(r.uuid);
                return (
                  <tr key={r.uuid} data-runner={r.uuid}>
                    <td>
                      {local ?? r.name}
                      {local && r.name && r.name !== local ? <span className="muted"> ({r.name})</span> : null}
                    </td>
                    <td>{t(`steps.bitbucketRunners.status.${r.status}`, { defaultValue: r.status })}</td>
                    <td>{r.busy ? t('steps.bitbucketRunners.busy') : t('steps.bitbucketRunners.idle')}</td>
                    <td>
                      <code>{r.labels.join(', ')}</code>
                    </td>
                    <td>{r.updatedOn ? formatTime(r.updatedOn, i18n.language) : '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {view.missing.length > 0 && (
        <ul className="notice warn">
          {view.missing.map((uuid) => (
            <li key={uuid}>{t('steps.bitbucketRunners.missing', { name: nameOf(uuid) ?? uuid })}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

function RunnerSteps({ runner, steps }: { runner: RunnerView; steps: StepView[] }) {
  const { t } = useTranslation();
  const sorted = [...steps].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  return (
    <section className="card" aria-label={t('steps.forRunner', { name: runner.displayName })}>
      <h2>{t('steps.forRunner', { name: runner.displayName })}</h2>
      {sorted.length === 0 ? (
        <p className="muted">{t('steps.noneYet')}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{t('steps.forRunner', { name: runner.displayName })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('steps.col.repository')}</th>
                <th scope="col">{t('steps.col.pipeline')}</th>
                <th scope="col">{t('steps.col.step')}</th>
                <th scope="col">{t('steps.col.state')}</th>
                <th scope="col">{t('steps.col.phase')}</th>
                <th scope="col">{t('steps.col.duration')}</th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((s) => (
                <StepRow key={s.stepUuid} step={s} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function StepRow({ step }: { step: StepView }) {
  const { t } = useTranslation();
  const url = stepUrl(step);
  // A running step's duration counts up on screen; the clock only ticks while the page is shown.
  const now = useNow(1000);
  const end = step.finishedAt ? Date.parse(step.finishedAt) : now;
  const label = step.stepName ?? shortUuid(step.stepUuid);
  return (
    <tr data-step={step.stepUuid}>
      <td>
        {step.workspace && step.repoSlug ? `${step.workspace}/${step.repoSlug}` : <code title={step.repositoryUuid}>{shortUuid(step.repositoryUuid)}</code>}
      </td>
      <td>{step.buildNumber !== undefined ? `#${step.buildNumber}` : <code title={step.pipelineUuid}>{shortUuid(step.pipelineUuid)}</code>}</td>
      <td>
        {url ? (
          <a href={url} target="_blank" rel="noreferrer" aria-label={t('steps.openInBitbucket', { step: label })}>
            {label}
          </a>
        ) : (
          <span title={step.stepUuid}>{label}</span>
        )}
      </td>
      <td>
        <StepStateBadge state={step.state} />
      </td>
      <td>{step.phase ? t(`phase.${step.phase}`, { defaultValue: step.phase }) : '—'}</td>
      <td>{formatDuration(end - Date.parse(step.startedAt), t)}</td>
    </tr>
  );
}
