import { describe, expect, it } from 'vitest';
import { pipelinesSnippet } from '../../../src/shared/pipelines-snippet/index.js';

describe('pipelines snippet', () => {
  it('targets a self-hosted Linux runner with the extra labels and size', () => {
    const { yaml, invalidLabels } = pipelinesSnippet({ extraLabels: ['GPU', ' linux ', ''], size: '4x' });
    expect(yaml).toContain('runs-on: [self.hosted, linux, gpu]');
    expect(yaml).toContain('size: 4x');
    expect(invalidLabels).toEqual([]);
  });
  it('leaves out labels Bitbucket would reject and says which', () => {
    const { yaml, invalidLabels } = pipelinesSnippet({ extraLabels: ['bad label!'], size: '1x' });
    expect(yaml).toContain('runs-on: [self.hosted, linux]');
    expect(invalidLabels).toEqual(['bad label!']);
  });
});
