import { useTranslation } from 'react-i18next';
import { useChannel } from '../contract-hooks.js';
import { CopyButton } from '../components/CopyButton.js';
import { HostProblems, useHostStatus } from '../components/HostProblems.js';

const ORDER = { fail: 0, warn: 1, ok: 2 } as const;

export function DoctorScreen() {
  const { t } = useTranslation();
  const preflight = useChannel('host.preflight', {}, ['engine.connection']);
  const findings = [...(preflight.value?.findings ?? [])].sort((a, b) => ORDER[a.status] - ORDER[b.status]);
  const problems = findings.filter((f) => f.status !== 'ok').length;
  const hostStatus = useHostStatus();

  return (
    <>
      <div className="screen-actions">
        <button type="button" onClick={preflight.refetch}>
          {t('doctor.rerun')}
        </button>
      </div>
      <HostProblems status={hostStatus} place="doctor" />
      {preflight.error && (
        <p role="alert" className="error-text">
          {preflight.error.message}
        </p>
      )}
      {preflight.value && (
        <p className={problems === 0 ? 'ok-text' : 'muted'} role="status">
          {problems === 0 ? t('doctor.allGood') : t('doctor.problems', { count: problems })}
        </p>
      )}
      <ul className="findings" aria-label={t('doctor.findings')}>
        {findings.map((f) => (
          <li key={f.id} className={`card finding finding-${f.status}`}>
            <span className={`status-icon status-${f.status}`} aria-hidden="true">
              {f.status === 'ok' ? '✓' : f.status === 'warn' ? '!' : '✕'}
            </span>
            <div className="finding-body">
              <p>
                <span className="visually-hidden">{t(`doctor.status.${f.status}`)}: </span>
                {f.message}
              </p>
              {f.fix && (
                <div className="fix">
                  <pre>
                    <code>{f.fix}</code>
                  </pre>
                  <CopyButton text={f.fix} label={t('doctor.copyFix')} />
                </div>
              )}
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}
