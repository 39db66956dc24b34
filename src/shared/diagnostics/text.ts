/**
 * Every diagnosis's words, in one table keyed by text key (the code, or `CODE.variant`),
 * so the renderer can swap in translations by key. `{{name}}` is filled from the
 * diagnosis's `params`, in i18next's interpolation syntax.
 */
export const DIAGNOSIS_TEXT = {
  OAUTH_REJECTED: {
    message: "Bitbucket rejected the runner's OAuth credentials, so the runner cannot sign in or go online.",
    fix: 'Check that OAUTH_CLIENT_ID and OAUTH_CLIENT_SECRET are exactly as Bitbucket showed them (not cut short, not base64-encoded a second time). If in doubt, delete the runner in Bitbucket, add it again and paste the new command.',
  },
  RUNNER_CONFLICT: {
    message: 'Two processes are using the same runner UUID, and Bitbucket refuses their simultaneous state updates.',
    fix: 'Stop the other copy of this runner (another container, host or Kubernetes pod using the same RUNNER_UUID), or register a separate runner for each machine.',
  },
  UNHEALTHY_CLEANUP: {
    message: 'The runner could not clean up its working directory after a step, and Bitbucket will mark it unhealthy.',
    fix: "Make the files under the runner's working directory deletable by the runner (for example files a step created as root with a bind mount), close anything that holds them open, then restart the runner.",
  },
  DIND_VERSION_MISMATCH: {
    message: "The docker-in-docker service image does not match the host's Docker engine version, so containers started in the step fail.",
    fix: 'Use the image docker:{{hostDockerVersion}}-dind for the docker service (definitions: services: docker: image: docker:{{hostDockerVersion}}-dind), the same version as the host engine.',
  },
  'DIND_VERSION_MISMATCH.noVersion': {
    message: "The docker-in-docker service image does not match the host's Docker engine version, so containers started in the step fail.",
    fix: "Use the image docker:<host version>-dind for the docker service, where <host version> is the host engine's version (shown by `docker version` on the host).",
  },
  MEMORY_LIMIT: {
    message: "The step's build container ran out of memory and was stopped.",
    fix: "Raise the step's memory with size: 2x, 4x or 8x in bitbucket-pipelines.yml (runners allow up to 8x = 32 GiB), or make the build use less memory.",
  },
  'MEMORY_LIMIT.service': {
    message: 'The step\'s "{{container}}" service ran out of memory and was stopped.',
    fix: "Raise the service's memory in bitbucket-pipelines.yml (definitions: services: {{container}}: memory: …), and the step's size if the total no longer fits.",
  },
  STEP_RESOURCES: {
    message: "The step's services reserve more memory than the step has, so the step cannot start.",
    fix: "Raise the step's size (2x, 4x or 8x) or lower the memory of its services in bitbucket-pipelines.yml.",
  },
  PRIVILEGED_DENIED: {
    message:
      'The step tried to start a privileged container. Bitbucket Pipelines does not allow --privileged, also on self-hosted Linux Docker runners, for security.',
    fix: "Remove --privileged (and other options that need it) from the step's docker commands; for image builds use plain docker build or buildx without privileged mode. There is no runner setting that allows it.",
  },
  IMAGE_UNAVAILABLE: {
    message: 'An image could not be pulled: {{image}}.',
    fix: "Check the host's network and DNS, that the image name and tag exist, and for private registries log in on the host (docker login) or give the step's image credentials in bitbucket-pipelines.yml.",
  },
  REGISTRY_RATE_LIMIT: {
    message: 'Docker Hub refused an image pull because the pull rate limit was reached.',
    fix: "Log in to Docker Hub on the host (docker login) or give username and password for the step's image in bitbucket-pipelines.yml; authenticated pulls have a higher limit.",
  },
  DOCKER_UNREACHABLE: {
    message: 'The runner cannot talk to the Docker engine, so it cannot start step containers.',
    fix: "Make sure Docker is running and that the runner container has the engine's socket mounted (-v /var/run/docker.sock:/var/run/docker.sock), with permission to use it.",
  },
  DISK_FULL: {
    message: 'A disk is full (no space left on device).',
    fix: "Free space in the runner's working directory and in Docker's data directory, for example with docker system prune, or give them a larger disk.",
  },
  CLOCK_SKEW: {
    message: "The host's clock looks wrong: certificates or tokens were rejected as not yet valid.",
    fix: "Synchronise the clock: sudo timedatectl set-ntp true (check with timedatectl status), or enable time sync in Docker Desktop's VM by restarting it.",
  },
  CGROUP_V1_EXPECTED: {
    message: 'This runner version expects cgroup v1 memory files, but the host uses cgroup v2.',
    fix: 'Pull the current runner image (docker pull docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1) and recreate the runner; it supports cgroup v2.',
  },
  NETWORK_UNREACHABLE: {
    message: 'The runner cannot reach Bitbucket or Atlassian over the network (name lookup or connection failed).',
    fix: "Check the host's internet access, DNS and firewall; the runner needs outbound HTTPS to bitbucket.org, api.atlassian.com, auth.atlassian.com and the Pipelines endpoints. Behind a proxy, pass its settings to the runner.",
  },
  TLS_UNTRUSTED: {
    message: 'The runner does not trust the TLS certificate it was shown, usually because a proxy intercepts HTTPS.',
    fix: "Let the runner's traffic bypass TLS inspection, or add the proxy's CA certificate to the runner's Java trust store.",
  },
} as const satisfies Record<string, { message: string; fix: string }>;

export type DiagnosisTextKey = keyof typeof DIAGNOSIS_TEXT;

/** Fill `{{name}}` placeholders; unknown names stay visible rather than vanish. */
export function fillText(template: string, params: Readonly<Record<string, string>> | undefined): string {
  if (!params) return template;
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => params[name] ?? whole);
}
