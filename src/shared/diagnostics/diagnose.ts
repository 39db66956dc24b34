import { looksLikeCredential } from '../runner-command/mask.js';
import { REDACTED, redactText, type Secret } from '../secret.js';
import { DIAGNOSIS_TEXT, fillText, type DiagnosisTextKey } from './text.js';

export type DiagnosisCode =
  | 'OAUTH_REJECTED'
  | 'RUNNER_CONFLICT'
  | 'UNHEALTHY_CLEANUP'
  | 'DIND_VERSION_MISMATCH'
  | 'MEMORY_LIMIT'
  | 'STEP_RESOURCES'
  | 'PRIVILEGED_DENIED'
  | 'IMAGE_UNAVAILABLE'
  | 'REGISTRY_RATE_LIMIT'
  | 'DOCKER_UNREACHABLE'
  | 'DISK_FULL'
  | 'CLOCK_SKEW'
  | 'CGROUP_V1_EXPECTED'
  | 'NETWORK_UNREACHABLE'
  | 'TLS_UNTRUSTED';

/**
 * What a diagnosis says about the runner itself:
 * - `unhealthy`: the runner cannot take steps until fixed and restarted (one is enough);
 * - `runner`: the runner cannot do its job right now (a few in a row make it UNHEALTHY);
 * - `step`: one step failed for a reason in the pipeline or its images; the runner is fine.
 */
export type DiagnosisScope = 'unhealthy' | 'runner' | 'step';

export interface Diagnosis {
  code: DiagnosisCode;
  /** Key into DIAGNOSIS_TEXT the message and fix came from (a translation key). */
  textKey: DiagnosisTextKey;
  message: string;
  fix: string;
  /** The log line it came from, trimmed, with known secrets redacted. */
  line: string;
  lineNumber?: number;
  /** The step container's role (`build`, `docker`, a service) when the line came from one, not the runner. */
  container?: string;
  /** Values filled into the text (`{{name}}`), for translations. */
  params?: Record<string, string>;
}

export interface DiagnoseContext {
  lineNumber?: number;
  /** The host engine's version (`docker version` Server.Version), for the dind fix. */
  hostDockerVersion?: string;
  /** Secrets to redact from `line` before it is returned. */
  secrets?: ReadonlyArray<string | Secret>;
  /**
   * When the secrets are not known: mask anything in `line` that looks like a credential (a long
   * run of mixed-case letters and digits), as the parser does for a damaged paste.
   */
  maskCredentialLike?: boolean;
}

const CREDENTIAL_RUN = /[A-Za-z0-9_-]{20,}/g;

/**
 * Mask credential-like runs. A digit is required as well, so that Java class names in runner
 * lines (`StargateConflictException`) stay readable; Bitbucket's secrets and tokens carry digits.
 */
export function maskCredentialLike(text: string): string {
  return text.replace(CREDENTIAL_RUN, (run) => (/\d/.test(run) && looksLikeCredential(run) ? REDACTED : run));
}

interface Signature {
  code: DiagnosisCode;
  scope: DiagnosisScope;
  /** Literal substrings, case-sensitive; any one must occur before `re` is even tried. */
  needles: readonly string[];
  re?: RegExp;
  /** Text key and params for this hit; default: the code, no params. */
  detail?: (line: string, m: RegExpExecArray | null, ctx: DiagnoseContext) => { key: DiagnosisTextKey; params?: Record<string, string> };
}

/** `20.10.24+dfsg1` → `20.10.24`: the dind tags are plain versions. */
export function dindTagVersion(engineVersion: string): string | null {
  return /^\d+\.\d+(?:\.\d+)?/.exec(engineVersion.trim().replace(/^v/, ''))?.[0] ?? null;
}

// Order matters: the first matching signature wins, so specific ones come before broad ones
// (a docker.sock "connection refused" is DOCKER_UNREACHABLE, not NETWORK_UNREACHABLE).
export const SIGNATURES: readonly Signature[] = [
  {
    code: 'OAUTH_REJECTED',
    // Credentials do not fix themselves: the runner needs new ones and a restart.
    scope: 'unhealthy',
    needles: ['oauth/token'],
    re: /\b4\d\d\b[^\n]*auth\.atlassian\.com\/oauth\/token|auth\.atlassian\.com\/oauth\/token[^\n]*\b4\d\d\b/,
  },
  {
    code: 'RUNNER_CONFLICT',
    scope: 'runner',
    needles: ['StargateConflictException', 'Simultaneous state updates', 'simultaneous state updates'],
  },
  { code: 'UNHEALTHY_CLEANUP', scope: 'unhealthy', needles: ['error occurred whilst tearing down directories'] },
  {
    code: 'DIND_VERSION_MISMATCH',
    scope: 'step',
    needles: ['failed to adjust OOM score for shim'],
    detail: (_line, _m, ctx) => {
      const v = ctx.hostDockerVersion ? dindTagVersion(ctx.hostDockerVersion) : null;
      return v ? { key: 'DIND_VERSION_MISMATCH', params: { hostDockerVersion: v } } : { key: 'DIND_VERSION_MISMATCH.noVersion' };
    },
  },
  {
    code: 'MEMORY_LIMIT',
    scope: 'step',
    needles: ['exceeded memory limit'],
    re: /\b(Container|Service)\s+['"‘’]?([^'"‘’]+?)['"‘’]?\s+exceeded memory limit/i,
    detail: (_line, m) => {
      const name = m?.[2] ?? 'Build';
      return name.toLowerCase() !== 'build'
        ? { key: 'MEMORY_LIMIT.service', params: { container: name } }
        : { key: 'MEMORY_LIMIT', params: { container: name } };
    },
  },
  { code: 'STEP_RESOURCES', scope: 'step', needles: ['does not have the minimum resources needed to run'] },
  {
    code: 'PRIVILEGED_DENIED',
    scope: 'step',
    needles: ['--privileged=true is not allowed', 'authorization denied by plugin pipelines'],
  },
  {
    code: 'REGISTRY_RATE_LIMIT',
    scope: 'step',
    needles: ['toomanyrequests', 'pull rate limit'],
  },
  {
    code: 'IMAGE_UNAVAILABLE',
    scope: 'step',
    needles: [
      'pull access denied',
      'manifest unknown',
      'Error pulling image',
      'Failed to pull image',
      'failed to pull image',
      'unauthorized: authentication required',
      'failed to resolve reference',
      'repository does not exist',
    ],
    detail: (line) => {
      const image =
        /(?:pull access denied for|image|reference)\s+["']?([\w.\-/:@]+[\w])["']?/i.exec(line)?.[1] ??
        /\b((?:[\w.-]+\/)+[\w.-]+(?::[\w.-]+)?)\b/.exec(line)?.[1] ??
        'unknown image';
      return { key: 'IMAGE_UNAVAILABLE', params: { image } };
    },
  },
  {
    code: 'DOCKER_UNREACHABLE',
    scope: 'runner',
    needles: ['Cannot connect to the Docker daemon', 'docker.sock', 'Docker daemon socket'],
    re: /Cannot connect to the Docker daemon|docker\.sock[^\n]*(?:No such file|[Cc]onnection refused|[Pp]ermission denied|connect)|(?:No such file|[Cc]onnection refused|[Pp]ermission denied)[^\n]*docker\.sock|Docker daemon socket/,
  },
  { code: 'DISK_FULL', scope: 'runner', needles: ['No space left on device', 'no space left on device'] },
  {
    code: 'CLOCK_SKEW',
    scope: 'runner',
    needles: ['not yet valid', 'NotYetValid', 'clock skew', 'Clock skew', 'used before issued'],
  },
  {
    code: 'CGROUP_V1_EXPECTED',
    scope: 'unhealthy',
    needles: ['memory.limit_in_bytes', 'cgroup mountpoint does not exist'],
    re: /memory\.limit_in_bytes[^\n]*(?:No such file|not found)|cgroup mountpoint does not exist/,
  },
  { code: 'TLS_UNTRUSTED', scope: 'runner', needles: ['PKIX path building failed', 'unable to find valid certification path'] },
  {
    code: 'NETWORK_UNREACHABLE',
    scope: 'runner',
    needles: ['UnknownHostException', 'ConnectTimeoutException', 'Failed to resolve', 'Network is unreachable', 'No route to host'],
  },
];

// One pass over the line for every needle at once: almost all lines match none, and a single
// alternation is several times cheaper than trying each needle with includes().
const ANY_NEEDLE = new RegExp(
  SIGNATURES.flatMap((s) => s.needles)
    .map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('|'),
);

const SCOPE_BY_CODE = new Map<string, DiagnosisScope>(SIGNATURES.map((s) => [s.code, s.scope]));

/** How a diagnosis code bears on the runner's health; `step` for codes we do not know. */
export function diagnosisScope(code: string): DiagnosisScope {
  return SCOPE_BY_CODE.get(code) ?? 'step';
}

/**
 * A known failure in one log line (runner or step container), or null. One line gives at
 * most one diagnosis: the first signature in table order that matches.
 */
export function diagnose(line: string, context: DiagnoseContext = {}): Diagnosis | null {
  if (!ANY_NEEDLE.test(line)) return null;
  for (const sig of SIGNATURES) {
    let hit = false;
    for (const needle of sig.needles) {
      if (line.includes(needle)) {
        hit = true;
        break;
      }
    }
    if (!hit) continue;
    let m: RegExpExecArray | null = null;
    if (sig.re) {
      m = sig.re.exec(line);
      if (m === null) continue;
    }
    const { key, params } = sig.detail ? sig.detail(line, m, context) : { key: sig.code as DiagnosisTextKey, params: undefined };
    const text = DIAGNOSIS_TEXT[key];
    let shown = line.trim();
    if (context.secrets && context.secrets.length > 0) shown = redactText(shown, context.secrets);
    else if (context.maskCredentialLike) shown = maskCredentialLike(shown);
    const d: Diagnosis = {
      code: sig.code,
      textKey: key,
      message: fillText(text.message, params),
      fix: fillText(text.fix, params),
      line: shown,
    };
    if (context.lineNumber !== undefined) d.lineNumber = context.lineNumber;
    if (params) d.params = params;
    return d;
  }
  return null;
}
