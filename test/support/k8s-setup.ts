/**
 * vitest globalSetup of the k8s project: one real cluster for the whole run, with the stand-in
 * runner image and a stand-in `docker:<node version>-dind` in the node's engine (pods cannot pull).
 */
import type { TestProject } from 'vitest/node';
import { upstreamDockerVersion } from '../../src/shared/k8s/dind-version.js';
import { startDockerd, type PrivateDockerd } from './dockerd.js';
import { startCluster, type TestCluster } from './kube-cluster.js';
import { buildStandinDind, engineVersion } from './standin-dind.js';
import { buildStandinImage, STANDIN_IMAGE } from './standin-image.js';

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
    kubeconfigReadonly: string;
    kubeconfigNobody: string;
    nodeDockerHost: string;
    /** `docker:<the node engine's upstream version>-dind`, present in the node's engine. */
    standinDindImage: string;
    /** What the node's engine reports (e.g. `20.10.24+dfsg1`): the node says `docker://<this>`. */
    nodeEngineVersion: string;
    standinRunnerImage: string;
    clusterStartSeconds: number;
  }
}

let cluster: TestCluster | undefined;
let daemon: PrivateDockerd | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // "This machine": a private dockerd for the runners' local containers, as in the integration project.
  daemon = await startDockerd();
  buildStandinImage(daemon.dockerHost);
  project.provide('dockerSocket', daemon.socketPath);
  project.provide('dockerDir', daemon.dir);
  project.provide('standinImage', STANDIN_IMAGE);
  try {
    cluster = await startCluster();
  } catch (e) {
    await daemon.stop();
    throw e;
  }
  try {
    buildStandinImage(cluster.nodeDockerHost);
    const version = engineVersion(cluster.nodeDockerHost);
    const upstream = upstreamDockerVersion(`docker://${version}`);
    if (!upstream) throw new Error(`The node engine reports version "${version}", not an x.y.z Docker version.`);
    project.provide('standinDindImage', buildStandinDind(cluster.nodeDockerHost, upstream));
    project.provide('nodeEngineVersion', version);
  } catch (e) {
    await cluster.stop();
    await daemon.stop();
    throw e;
  }
  project.provide('kubeconfig', cluster.kubeconfig);
  project.provide('kubeconfigReadonly', cluster.kubeconfigReadonly);
  project.provide('kubeconfigNobody', cluster.kubeconfigNobody);
  project.provide('nodeDockerHost', cluster.nodeDockerHost);
  project.provide('standinRunnerImage', STANDIN_IMAGE);
  project.provide('clusterStartSeconds', cluster.startSeconds);
  process.stderr.write(`k8s test cluster ready in ${cluster.startSeconds.toFixed(1)} s (${cluster.dir})\n`);
  return async () => {
    await cluster?.stop();
    cluster = undefined;
    await daemon?.stop();
    daemon = undefined;
  };
}
