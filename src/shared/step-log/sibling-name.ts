/**
 * Sibling containers the runner starts for a step are named `<runnerUuid>_<uuid>_<role>`
 * (UUIDs without braces; `build`, `clone`, `docker`, service names…). The second UUID is
 * believed to be the step's: callers should confirm it against the log's `Getting step`.
 */
export interface SiblingName {
  /** With braces, lower case, as in RunnerSpec. */
  runnerUuid: string;
  stepUuid?: string;
  role: string;
}

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const SIBLING = new RegExp(`^\\/?\\{?(${UUID})\\}?_(?:\\{?(${UUID})\\}?_)?([A-Za-z0-9][\\w.-]*)$`);

/** Null when the name is not a runner sibling (e.g. the runner's own `runner-<uuid>`). */
export function parseSiblingName(containerName: string): SiblingName | null {
  const m = SIBLING.exec(containerName.trim());
  if (!m) return null;
  const out: SiblingName = { runnerUuid: `{${m[1]!.toLowerCase()}}`, role: m[3]! };
  if (m[2] !== undefined) out.stepUuid = `{${m[2].toLowerCase()}}`;
  return out;
}

/** True when the sibling belongs to the given runner (UUID with or without braces, any case). */
export function isSiblingOf(containerName: string, runnerUuid: string): boolean {
  const parsed = parseSiblingName(containerName);
  if (!parsed) return false;
  return parsed.runnerUuid === `{${runnerUuid.replace(/[{}]/g, '').toLowerCase()}}`;
}

/**
 * The step a sibling belongs to, once the log confirms the UUID its name claims: a step with that
 * UUID is running. Undefined otherwise: the sibling then still shows that something runs, but is
 * tied to no step.
 */
export function confirmedSiblingStep(claimedStepUuid: string | undefined, steps: ReadonlyArray<{ stepUuid: string; state: string }>): string | undefined {
  if (claimedStepUuid === undefined) return undefined;
  const claim = claimedStepUuid.toLowerCase();
  return steps.some((s) => s.state === 'RUNNING' && s.stepUuid.toLowerCase() === claim) ? claimedStepUuid : undefined;
}
