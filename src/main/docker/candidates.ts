/**
 * Where to look for a Docker engine, in the docker CLI's order. Pure apart from the injected
 * file reader, so every platform's rules are unit-testable here.
 */
import { createHash } from 'node:crypto';

export interface EngineCandidate {
  /** `unix:///…`, `npipe:////./pipe/…`, `tcp://host:port`, `ssh://user@host`. */
  host: string;
  /** Human words for messages: `DOCKER_HOST`, `docker context "colima"`, `Docker Desktop socket`. */
  source: string;
  /** TLS material for tcp://, from DOCKER_TLS_VERIFY / DOCKER_CERT_PATH or the context. */
  tls?: { verify: boolean; certPath: string };
}

export interface DiscoveryEnv {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  homedir: string;
  /** Returns the file's text, or undefined when it does not exist or cannot be read. */
  readFile(path: string): string | undefined;
}

export interface Discovery {
  candidates: EngineCandidate[];
  /** Problems met on the way (e.g. a context whose meta file is missing), for the error message. */
  notes: string[];
  /**
   * True when the user chose one engine (DOCKER_HOST or a docker context): we try only that one,
   * as the docker CLI does, so runners never land silently on a different engine.
   */
  explicit: boolean;
}

function join(platform: NodeJS.Platform, ...parts: string[]): string {
  const sep = platform === 'win32' ? '\\' : '/';
  return parts.map((p, i) => (i === 0 ? p.replace(/[\\/]+$/, '') : p.replace(/^[\\/]+|[\\/]+$/g, ''))).join(sep);
}

function nonEmpty(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== '' ? v.trim() : undefined;
}

/** `1`, `true`, anything non-empty except `0`/`false` turns TLS verification on, as in the CLI. */
function truthy(v: string | undefined): boolean {
  const t = nonEmpty(v);
  return t !== undefined && t !== '0' && t.toLowerCase() !== 'false';
}

export function discoverCandidates(d: DiscoveryEnv): Discovery {
  const notes: string[] = [];
  const dockerHost = nonEmpty(d.env.DOCKER_HOST);
  if (dockerHost) {
    const certPath = nonEmpty(d.env.DOCKER_CERT_PATH) ?? join(d.platform, d.homedir, '.docker');
    const verify = truthy(d.env.DOCKER_TLS_VERIFY);
    const c: EngineCandidate = { host: dockerHost, source: 'DOCKER_HOST' };
    if (dockerHost.startsWith('tcp://') && (verify || nonEmpty(d.env.DOCKER_CERT_PATH))) c.tls = { verify, certPath };
    return { candidates: [c], notes, explicit: true };
  }

  const configDir = nonEmpty(d.env.DOCKER_CONFIG) ?? join(d.platform, d.homedir, '.docker');
  let context = nonEmpty(d.env.DOCKER_CONTEXT);
  let contextFrom = 'DOCKER_CONTEXT';
  if (!context) {
    const configPath = join(d.platform, configDir, 'config.json');
    const text = d.readFile(configPath);
    if (text !== undefined) {
      try {
        const cfg = JSON.parse(text) as { currentContext?: unknown };
        if (typeof cfg.currentContext === 'string' && cfg.currentContext !== '') {
          context = cfg.currentContext;
          contextFrom = configPath;
        }
      } catch {
        notes.push(`${configPath} is not valid JSON; ignored its currentContext`);
      }
    }
  }
  if (context && context !== 'default') {
    const hash = createHash('sha256').update(context).digest('hex');
    const metaPath = join(d.platform, configDir, 'contexts', 'meta', hash, 'meta.json');
    const text = d.readFile(metaPath);
    let host: string | undefined;
    let skipTls = false;
    if (text === undefined) {
      notes.push(`docker context "${context}" (from ${contextFrom}) has no ${metaPath}`);
    } else {
      try {
        const meta = JSON.parse(text) as { Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } };
        const h = meta.Endpoints?.docker?.Host;
        if (typeof h === 'string' && h !== '') host = h;
        skipTls = meta.Endpoints?.docker?.SkipTLSVerify === true;
        if (!host) notes.push(`docker context "${context}" names no Endpoints.docker.Host in ${metaPath}`);
      } catch {
        notes.push(`${metaPath} (docker context "${context}") is not valid JSON`);
      }
    }
    if (host) {
      const c: EngineCandidate = { host, source: `docker context "${context}"` };
      if (host.startsWith('tcp://')) {
        const tlsDir = join(d.platform, configDir, 'contexts', 'tls', hash, 'docker');
        if (d.readFile(join(d.platform, tlsDir, 'ca.pem')) !== undefined) c.tls = { verify: !skipTls, certPath: tlsDir };
      }
      return { candidates: [c], notes, explicit: true };
    }
    // The CLI would fail here too; the notes say why, and the defaults below are still worth a try.
  }

  return { candidates: osDefaults(d), notes, explicit: false };
}

function osDefaults(d: DiscoveryEnv): EngineCandidate[] {
  if (d.platform === 'win32') {
    return [
      { host: 'npipe:////./pipe/docker_engine', source: 'Docker Desktop named pipe' },
      { host: 'npipe:////./pipe/dockerDesktopLinuxEngine', source: 'Docker Desktop Linux engine pipe' },
    ];
  }
  const out: EngineCandidate[] = [{ host: 'unix:///var/run/docker.sock', source: 'default socket' }];
  out.push({ host: `unix://${join(d.platform, d.homedir, '.docker', 'run', 'docker.sock')}`, source: 'Docker Desktop socket' });
  if (d.platform === 'linux') {
    out.push({ host: `unix://${join(d.platform, d.homedir, '.docker', 'desktop', 'docker.sock')}`, source: 'Docker Desktop socket' });
  }
  const xdg = nonEmpty(d.env.XDG_RUNTIME_DIR);
  if (xdg && d.platform !== 'darwin') out.push({ host: `unix://${join(d.platform, xdg, 'docker.sock')}`, source: 'rootless Docker socket' });
  if (d.platform === 'darwin') {
    out.push({ host: `unix://${join(d.platform, d.homedir, '.colima', 'default', 'docker.sock')}`, source: 'Colima socket' });
  }
  return out;
}

/** Socket path of a unix:// or npipe:// host; null for network hosts. */
export function socketPathOf(host: string): string | null {
  if (host.startsWith('unix://')) return host.slice('unix://'.length);
  // npipe:////./pipe/docker_engine → //./pipe/docker_engine
  if (host.startsWith('npipe://')) return host.slice('npipe://'.length).replace(/^\/\/\/\//, '//');
  return null;
}
