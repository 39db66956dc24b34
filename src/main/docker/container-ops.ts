/** Container calls that tolerate the state already being what was asked (another process got there first). */
import type Docker from 'dockerode';
import { statusCodeOf } from './engine-errors.js';

/** Start; already running (304) is fine. */
export async function startContainer(docker: Docker, id: string): Promise<void> {
  try {
    await docker.getContainer(id).start();
  } catch (e) {
    if (statusCodeOf(e) !== 304) throw e;
  }
}

/** Force-remove; already gone (404) or being removed (409) is fine. */
export async function removeContainer(docker: Docker, id: string): Promise<void> {
  try {
    await docker.getContainer(id).remove({ force: true });
  } catch (e) {
    if (statusCodeOf(e) !== 404 && statusCodeOf(e) !== 409) throw e;
  }
}
