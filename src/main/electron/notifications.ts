/**
 * Contract `notification` events as desktop notifications. The event carries facts (kind,
 * runner, step); the words are chosen here, in the user's language. The settings switch
 * (`ui.notifications`) is read at each event, so turning it off takes effect at once.
 */
import type { NotificationConstructorOptions } from 'electron';
import type { ContractEvent, EventOf } from '../../shared/contract/events.js';
import { localizedDiagnosis } from '../../shared/diagnostics/localized.js';
import type { TrayLanguage } from './tray-menu.js';

export interface NotificationsDeps {
  /** `(options) => new Notification(options)`. */
  create: (options: NotificationConstructorOptions) => { show(): void; on(event: 'click', listener: () => void): unknown };
  /** `Notification.isSupported()`. */
  isSupported: () => boolean;
  enabled: () => boolean;
  language: () => TrayLanguage;
  /** Shows the window (a click on a notification). */
  open: () => void;
}

export function notificationText(event: EventOf<'notification'>, language: TrayLanguage): { title: string; body: string } {
  const plain = plainNotificationText(event, language);
  if (!event.diagnosis) return plain;
  const d = event.diagnosis;
  const { message } = localizedDiagnosis(d, language);
  const where =
    d.container === undefined
      ? ''
      : language === 'pl'
        ? d.container === 'build'
          ? ' (w kontenerze build kroku)'
          : ` (w kontenerze usługi „${d.container}”)`
        : d.container === 'build'
          ? ' (in the step’s build container)'
          : ` (in the “${d.container}” service container)`;
  const step = event.kind === 'stepFailed' && event.step ? [event.step.repositoryFullName, event.step.stepName].filter(Boolean).join(' · ') : '';
  return { title: plain.title, body: `${step ? `${step}\n` : ''}${message}${where}` };
}

function plainNotificationText(event: EventOf<'notification'>, language: TrayLanguage): { title: string; body: string } {
  const name = event.runnerDisplayName;
  const step = event.step ? [event.step.repositoryFullName, event.step.stepName].filter(Boolean).join(' · ') : '';
  if (language === 'pl') {
    switch (event.kind) {
      case 'stepFailed':
        return { title: `Krok nie powiódł się na ${name}`, body: step || 'Zobacz szczegóły w Runner Tray.' };
      case 'runnerCrashed':
        return { title: `Runner ${name} uległ awarii`, body: 'Ciągle się zatrzymuje; przyczyna i poprawka są w Runner Tray.' };
      case 'runnerOnline':
        return { title: `Runner ${name} znów działa`, body: 'Jest online i czeka na kroki.' };
    }
  }
  switch (event.kind) {
    case 'stepFailed':
      return { title: `Step failed on ${name}`, body: step || 'See the details in Runner Tray.' };
    case 'runnerCrashed':
      return { title: `Runner ${name} crashed`, body: 'It keeps exiting; the reason and the fix are in Runner Tray.' };
    case 'runnerOnline':
      return { title: `Runner ${name} is back online`, body: 'It is waiting for steps again.' };
  }
}

/** Returns the listener to hand to `api.events.on(…, {watching: false})`. */
export function notificationListener(deps: NotificationsDeps): (event: ContractEvent) => void {
  return (event) => {
    if (event.type !== 'notification' || !deps.enabled() || !deps.isSupported()) return;
    const n = deps.create({ ...notificationText(event, deps.language()), silent: false });
    n.on('click', () => deps.open());
    n.show();
  };
}
