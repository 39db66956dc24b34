/**
 * A runner's step containers (`<runnerUuid>_<uuid>_<role>`, started by the runner itself, so
 * unlabelled): remembered per runner (capped), tied to their step once the runner's log confirms
 * it, and their logs followed for diagnoses only (`DIND_VERSION_MISMATCH`, `exceeded memory
 * limit` appear there, not in the runner's log). Their lines never leave; only diagnoses do.
 */
import type Docker from 'dockerode';
import { diagnose, type DiagnoseContext } from '../../shared/diagnostics/diagnose.js';
import { LineSplitter } from '../../shared/line-splitter.js';
import { confirmedSiblingStep, parseSiblingName, type SiblingName } from '../../shared/step-log/sibling-name.js';
import type { ContainerAction } from '../../shared/step-log/types.js';
import { followContainerLog } from '../docker/container-logs.js';
import type { MonitorEvent, SiblingView } from './events.js';
import type { Tracked } from './tracked.js';

export interface StepContainersOptions {
  docker: Docker;
  /** Siblings remembered per runner (the runner removes them; this caps leftovers). */
  maxSiblings: number;
  /** Running siblings whose logs are followed per runner; 0 follows none. */
  maxSiblingLogs: number;
  hostDockerVersion: string | undefined;
  closed(): boolean;
  emit(event: MonitorEvent): void;
}

const MAX_SIBLING_LINE = 64 * 1024;

export interface StepContainerListing {
  containerId: string;
  name: string;
  running: boolean;
  sibling: SiblingName;
}

/**
 * Every container named like a runner's step container (`<runnerUuid>_<uuid>_<role>`): the runner
 * starts them itself, so they carry none of our labels and are found by name.
 */
export async function listStepContainers(docker: Docker): Promise<StepContainerListing[]> {
  const all = await docker.listContainers({ all: true });
  const out: StepContainerListing[] = [];
  for (const c of all) {
    const name = (c.Names[0] ?? '').replace(/^\//, '');
    const sibling = parseSiblingName(name);
    if (sibling) out.push({ containerId: c.Id, name, running: c.State === 'running', sibling });
  }
  return out;
}

export class StepContainers {
  readonly #o: StepContainersOptions;

  constructor(options: StepContainersOptions) {
    this.#o = options;
  }

  /** An engine event of one of `t`'s step containers. */
  onEvent(t: Tracked, id: string, name: string, sibling: SiblingName, action: ContainerAction, time: string): void {
    const view: SiblingView = { containerId: id, name, role: sibling.role, running: action === 'start' };
    if (sibling.stepUuid) t.siblingClaims.set(id, sibling.stepUuid);
    if (action === 'destroy') this.forget(t, id);
    else if (action === 'start' || action === 'die' || action === 'create') {
      const known = t.siblings.get(id);
      if (known) known.running = action === 'start' ? true : action === 'die' ? false : known.running;
      else t.siblings.set(id, view);
      while (t.siblings.size > this.#o.maxSiblings) this.forget(t, t.siblings.keys().next().value!);
    }
    const current = t.siblings.get(id);
    if (current) this.confirm(t, current);
    if (action === 'start') void this.#follow(t, id, sibling.role, true);
    if (action === 'die' || action === 'kill' || action === 'stop') this.#stopLog(t, id);
    const shown = current ? { ...current } : { ...view, running: false };
    this.#o.emit({ type: 'sibling', runnerUuid: t.runnerUuid, action, sibling: shown, time });
  }

  /**
   * The second UUID in a sibling's name is only believed to be the step's: it is shown once a
   * step with that UUID is running in the log. True when this call confirmed it.
   */
  confirm(t: Tracked, view: SiblingView): boolean {
    if (view.stepUuid !== undefined) return false;
    const step = confirmedSiblingStep(t.siblingClaims.get(view.containerId), t.replay.state.steps);
    if (step === undefined) return false;
    view.stepUuid = step;
    return true;
  }

  /** After the runner's steps changed: a sibling seen before its step's log line is confirmed now (the two streams race). */
  confirmAll(t: Tracked, time: string): void {
    for (const view of t.siblings.values()) {
      if (this.confirm(t, view) && view.running) this.#o.emit({ type: 'sibling', runnerUuid: t.runnerUuid, action: 'start', sibling: { ...view }, time });
    }
  }

  forget(t: Tracked, id: string): void {
    this.#stopLog(t, id);
    t.siblings.delete(id);
    t.siblingClaims.delete(id);
  }

  /** The runner's container is gone: so are its step containers. */
  forgetAll(t: Tracked): void {
    this.stopLogs(t);
    t.siblings.clear();
    t.siblingClaims.clear();
  }

  stopLogs(t: Tracked): void {
    for (const id of [...t.siblingLogs.keys()]) this.#stopLog(t, id);
  }

  /** Rebuilds every tracked runner's siblings from a listing of the engine's step containers. */
  reconcile(runners: ReadonlyMap<string, Tracked>, listing: readonly StepContainerListing[], key: (runnerUuid: string) => string): void {
    const seen = new Set<string>();
    for (const c of listing) {
      const t = runners.get(key(c.sibling.runnerUuid));
      if (!t) continue;
      seen.add(c.containerId);
      const known = t.siblings.get(c.containerId);
      const view: SiblingView = {
        containerId: c.containerId,
        name: c.name,
        role: c.sibling.role,
        running: c.running,
        ...(known?.stepUuid ? { stepUuid: known.stepUuid } : {}),
      };
      t.siblings.set(c.containerId, view);
      if (c.sibling.stepUuid) t.siblingClaims.set(c.containerId, c.sibling.stepUuid);
      this.confirm(t, view);
      // Already running: only what it prints from now on (its earlier lines were ours to see then).
      if (view.running) void this.#follow(t, c.containerId, c.sibling.role, false);
      else this.#stopLog(t, c.containerId);
    }
    for (const t of runners.values()) for (const id of [...t.siblings.keys()]) if (!seen.has(id)) this.forget(t, id);
  }

  async #follow(t: Tracked, id: string, role: string, fromStart: boolean): Promise<void> {
    if (this.#o.closed() || t.siblingLogs.has(id) || t.siblingLogs.size >= this.#o.maxSiblingLogs) return;
    t.siblingLogs.set(id, null);
    const since = Math.floor(Date.now() / 1000);
    const lines = new LineSplitter((line) => this.#line(t, role, line), MAX_SIBLING_LINE);
    const opening = async () => {
      const info = await this.#o.docker.getContainer(id).inspect();
      if (!info.State.Running) throw new Error('not running');
      const tty = info.Config?.Tty === true;
      return followContainerLog(this.#o.docker, id, (text) => lines.push(text), { tty, ...(fromStart ? {} : { since }) });
    };
    const follower = await opening().catch(() => null);
    if (follower === null || this.#o.closed() || !t.siblingLogs.has(id) || !t.siblings.has(id)) {
      follower?.stop();
      if (t.siblingLogs.get(id) === null) t.siblingLogs.delete(id);
      return;
    }
    t.siblingLogs.set(id, follower);
    void follower.ended.then(() => {
      lines.end();
      if (t.siblingLogs.get(id) === follower) t.siblingLogs.delete(id);
    });
  }

  #line(t: Tracked, role: string, raw: string): void {
    if (this.#o.closed()) return;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const context: DiagnoseContext = {};
    if (this.#o.hostDockerVersion !== undefined) context.hostDockerVersion = this.#o.hostDockerVersion;
    if (t.secrets.length > 0) context.secrets = t.secrets;
    else context.maskCredentialLike = true;
    const d = diagnose(line, context);
    if (!d) return;
    d.container = role;
    // Listed with the runner's diagnoses, but a step's failure says nothing about the runner's health.
    t.replay.note(d);
    this.#o.emit({ type: 'diagnosis', runnerUuid: t.runnerUuid, diagnosis: d, time: new Date().toISOString() });
  }

  #stopLog(t: Tracked, id: string): void {
    const s = t.siblingLogs.get(id);
    t.siblingLogs.delete(id);
    s?.stop();
  }
}
