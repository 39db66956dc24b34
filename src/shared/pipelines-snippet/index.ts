/**
 * The `bitbucket-pipelines.yml` step fragment that sends a step to a self-hosted
 * Linux Docker runner. `self.hosted` and `linux` are the labels Bitbucket gives
 * every such runner; extra labels are the ones the user set in Bitbucket.
 */
export const STEP_SIZES = ['1x', '2x', '4x', '8x'] as const;
export type StepSize = (typeof STEP_SIZES)[number];

/** Memory Bitbucket gives a step of each size on a self-hosted runner. */
export const STEP_SIZE_MEMORY_GB: Record<StepSize, number> = { '1x': 4, '2x': 8, '4x': 16, '8x': 32 };

const BASE_LABELS = ['self.hosted', 'linux'];
/** Bitbucket's rule for custom runner labels. */
const LABEL = /^[a-z0-9][a-z0-9._-]{0,49}$/;

export interface SnippetInput {
  extraLabels: string[];
  size: StepSize;
  stepName?: string;
}

export interface SnippetResult {
  yaml: string;
  /** Labels left out because Bitbucket would reject them. */
  invalidLabels: string[];
}

export function pipelinesSnippet(input: SnippetInput): SnippetResult {
  const extras = input.extraLabels.map((l) => l.trim().toLowerCase()).filter((l) => l.length > 0);
  const invalidLabels = extras.filter((l) => !LABEL.test(l));
  const labels = [...BASE_LABELS];
  for (const l of extras) if (LABEL.test(l) && !labels.includes(l)) labels.push(l);
  const name = (input.stepName ?? 'Build on my runner').replace(/'/g, "''");
  const yaml = [
    'pipelines:',
    '  default:',
    '    - step:',
    `        name: '${name}'`,
    `        runs-on: [${labels.join(', ')}]`,
    `        size: ${input.size}`,
    '        script:',
    '          - echo "Running on a self-hosted runner"',
    '',
  ].join('\n');
  return { yaml, invalidLabels };
}
