/** Desktop notifications name the known problem behind a failure, in the user's language, with the step container it came from. */
import { describe, expect, it } from 'vitest';
import { notificationText } from '../../../src/main/electron/notifications.js';
import type { EventOf } from '../../../src/shared/contract/index.js';

const failed: EventOf<'notification'> = {
  type: 'notification',
  kind: 'stepFailed',
  runnerUuid: '{0f1e2d3c-4b5a-4968-8776-655443322110}',
  runnerDisplayName: 'Build box',
  step: { stepUuid: '{11112222-3333-4444-8555-666677778888}', stepName: 'Integration tests', repositoryFullName: 'acme/web' },
  diagnosis: {
    code: 'MEMORY_LIMIT',
    textKey: 'MEMORY_LIMIT.service',
    params: { container: 'docker' },
    container: 'docker',
    message: 'The step\'s "docker" service ran out of memory and was stopped.',
    fix: "Raise the service's memory.",
    line: "Service 'docker' exceeded memory limit.",
  },
};

describe('notification with a diagnosis', () => {
  it('says the problem and the service container, in English and Polish', () => {
    expect(notificationText(failed, 'en')).toEqual({
      title: 'Step failed on Build box',
      body: 'acme/web · Integration tests\nThe step\'s "docker" service ran out of memory and was stopped. (in the “docker” service container)',
    });
    const pl = notificationText(failed, 'pl');
    expect(pl.title).toBe('Krok nie powiódł się na Build box');
    expect(pl.body).toBe('acme/web · Integration tests\nUsłudze „docker” w kroku zabrakło pamięci i została zatrzymana. (w kontenerze usługi „docker”)');
  });

  it('is unchanged without one', () => {
    const { diagnosis: _d, ...plain } = failed;
    expect(notificationText(plain, 'en').body).toBe('acme/web · Integration tests');
  });
});
