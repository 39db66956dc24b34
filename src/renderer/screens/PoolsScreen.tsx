import { useTranslation } from 'react-i18next';
import { PoolCard } from '../components/PoolCard.js';
import { usePoolList } from '../contract-hooks.js';
import { useErrorText } from '../error-text.js';

/** Every pool with its numbers, runners, activity and last hour; pools are set up with `runner-tray pool add`. */
export function PoolsScreen() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const pools = usePoolList();
  const list = pools.value ?? [];
  return (
    <>
      {pools.error && (
        <p role="alert" className="error-text">
          {errorText.contract(pools.error)}
        </p>
      )}
      {!pools.loading && !pools.error && list.length === 0 && (
        <section className="card empty" aria-labelledby="pools-empty-title">
          <h2 id="pools-empty-title">{t('pools.empty.title')}</h2>
          <p>{t('pools.empty.intro')}</p>
          <pre className="code-block">
            <code>runner-tray pool add ci --workspace my-workspace --label docker --min 0 --max 3 --idle 1</code>
          </pre>
        </section>
      )}
      {list.length > 0 && (
        <ul className="runner-list pool-list" aria-label={t('pools.listLabel')}>
          {list.map((p) => (
            <PoolCard key={p.name} pool={p} />
          ))}
        </ul>
      )}
    </>
  );
}
