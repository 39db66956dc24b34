/**
 * Which `docker:<version>-dind` image the sidecar runs. The article's `failed to adjust OOM score
 * for shim` went away only once the dind version equalled the nodes' Docker; this makes that the
 * default, read from the nodes' `status.nodeInfo.containerRuntimeVersion`, and says why either way.
 */
import { K8sOptionError } from './names.js';

/** Used when the nodes do not run Docker or cannot be read. */
export const DEFAULT_DIND_VERSION = '27.5.1';

export interface NodeRuntime {
  name: string;
  /** `status.nodeInfo.containerRuntimeVersion`, e.g. `docker://20.10.7`, `containerd://1.7.2`. */
  containerRuntimeVersion: string;
}

export interface DindChoice {
  image: string;
  /** Docker version of that image, when known (null for a user's --dind-image). */
  version: string | null;
  reason: string;
}

export interface DindRequest {
  nodes?: readonly NodeRuntime[] | null;
  /** `--dind-version`. */
  version?: string;
  /** `--dind-image`: taken as given. */
  image?: string;
  /** Why nodes is null (e.g. the credentials may not list nodes), for the reason text. */
  nodesUnavailable?: string;
}

const VERSION = /^\d+\.\d+(\.\d+)?$/;

export function dindImage(version: string): string {
  return `docker:${version}-dind`;
}

/**
 * The upstream Docker version of a node runtime, or null when it is not Docker. Distribution
 * builds carry a suffix (`20.10.24+dfsg1` in Debian, `24.0.7-0ubuntu1` in Ubuntu) that upstream
 * image tags do not have.
 */
export function upstreamDockerVersion(runtimeVersion: string): string | null {
  const m = /^docker:\/\/v?(\d+\.\d+\.\d+)(?:[-+~].*)?$/.exec(runtimeVersion.trim());
  return m ? m[1]! : null;
}

export function chooseDind(req: DindRequest): DindChoice {
  if (req.image !== undefined) {
    if (req.image.trim() === '' || /\s/.test(req.image))
      throw new K8sOptionError(`--dind-image "${req.image}" is not an image reference (e.g. registry.example.com/docker:27.5.1-dind).`);
    return { image: req.image, version: null, reason: `--dind-image ${req.image} given` };
  }
  if (req.version !== undefined) {
    const v = req.version.replace(/^v/, '');
    if (!VERSION.test(v)) throw new K8sOptionError(`--dind-version "${req.version}" is not a Docker version such as 20.10.24 or 27.5.1.`);
    return { image: dindImage(v), version: v, reason: `--dind-version ${v} given` };
  }
  const fallback = (why: string): DindChoice => ({
    image: dindImage(DEFAULT_DIND_VERSION),
    version: DEFAULT_DIND_VERSION,
    reason: `${why}; using the pinned default ${DEFAULT_DIND_VERSION} (set --dind-version to match your nodes' Docker)`,
  });
  const nodes = req.nodes ?? [];
  if (nodes.length === 0) return fallback(req.nodesUnavailable ?? 'no nodes found');
  const byVersion = new Map<string, string[]>();
  const other: string[] = [];
  for (const n of nodes) {
    const v = upstreamDockerVersion(n.containerRuntimeVersion);
    if (v === null) other.push(`${n.name} (${n.containerRuntimeVersion || 'unknown runtime'})`);
    else byVersion.set(v, [...(byVersion.get(v) ?? []), n.name]);
  }
  if (byVersion.size === 0) return fallback(`the nodes do not run Docker: ${other.join(', ')}, so there is no Docker version to match`);
  // Most nodes first; ties go to the newer-sorting version so the choice is stable.
  const ranked = [...byVersion.entries()].sort((a, b) => b[1].length - a[1].length || b[0].localeCompare(a[0], 'en', { numeric: true }));
  const [version, names] = ranked[0]!;
  const runtimes = [...new Set(nodes.filter((n) => names.includes(n.name)).map((n) => n.containerRuntimeVersion))].join(', ');
  let reason = `matches the nodes' Docker (${runtimes} on ${names.length === 1 ? names[0] : `${names.length} nodes`})`;
  const rest = [...ranked.slice(1).map(([v, ns]) => `${ns.join(', ')} (docker ${v})`), ...other];
  if (rest.length > 0) reason += `; other nodes differ: ${rest.join(', ')}`;
  return { image: dindImage(version), version, reason };
}
