import { describe, expect, it } from 'vitest';
import { displayApiStepState, displayRunnerStepState, isFinalDisplay } from '../../src/shared/step-display.js';

describe('step display vocabulary', () => {
  it('maps the runner log words', () => {
    expect(['RUNNING', 'PASSED', 'FAILED', 'ERROR', 'STOPPED', 'UNKNOWN'].map(displayRunnerStepState)).toEqual([
      'running',
      'passed',
      'failed',
      'error',
      'stopped',
      'unknown',
    ]);
    expect(displayRunnerStepState('passed')).toBe('passed');
    expect(displayRunnerStepState('SOMETHING_NEW')).toBe('unknown');
    expect(displayRunnerStepState(undefined)).toBe('unknown');
  });

  it('maps Bitbucket API step states as the API nests them', () => {
    expect(displayApiStepState({ name: 'PENDING', type: 'pipeline_step_state_pending' })).toBe('queued');
    expect(displayApiStepState({ name: 'IN_PROGRESS', type: 'pipeline_step_state_in_progress' })).toBe('running');
    expect(displayApiStepState({ name: 'IN_PROGRESS', stage: { name: 'PAUSED' } })).toBe('paused');
    expect(displayApiStepState({ name: 'IN_PROGRESS', stage: { name: 'HALTED' } })).toBe('paused');
    expect(displayApiStepState({ name: 'IN_PROGRESS', stage: { name: 'RUNNING' } })).toBe('running');
    const completed = (result: string) => displayApiStepState({ name: 'COMPLETED', result: { name: result } });
    expect(['SUCCESSFUL', 'FAILED', 'ERROR', 'STOPPED', 'NOT_RUN', 'EXPIRED'].map(completed)).toEqual([
      'passed',
      'failed',
      'error',
      'stopped',
      'stopped',
      'error',
    ]);
    expect(displayApiStepState({ name: 'COMPLETED' })).toBe('unknown');
    expect(displayApiStepState({ type: 'pipeline_step_state_pending' })).toBe('queued');
    expect(displayApiStepState('PAUSED')).toBe('paused');
    expect(displayApiStepState(null)).toBe('unknown');
  });

  it('says which words are final', () => {
    expect(isFinalDisplay('passed')).toBe(true);
    expect(isFinalDisplay('running')).toBe(false);
    expect(isFinalDisplay('paused')).toBe(false);
  });
});
