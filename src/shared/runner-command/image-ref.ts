/**
 * Docker image reference grammar (distribution/reference), enough to tell an image name from
 * anything else that ended up where Docker expects the image.
 */

export interface ImageRef {
  /** Registry host and path, without tag or digest. */
  repository: string;
  tag: string | null;
  digest: string | null;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

export function parseImageRef(ref: string): ImageRef | null {
  if (ref.length === 0 || ref.length > 512) return null;
  let rest = ref;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return null;
  }
  let tag: string | null = null;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return null;
  }
  if (rest.length === 0 || rest.length > 255) return null;
  const parts = rest.split('/');
  const first = parts[0]!;
  // Like the docker CLI: the first part is a registry only if it looks like a host name.
  const hasDomain = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasDomain && !DOMAIN.test(first)) return null;
  const path = hasDomain ? parts.slice(1) : parts;
  if (!path.every((p) => PATH_COMPONENT.test(p))) return null;
  return { repository: rest, tag, digest };
}

/** Repository part of an image reference, or the text itself when it is not one. */
export function repositoryOf(ref: string): string {
  return parseImageRef(ref)?.repository ?? ref;
}
