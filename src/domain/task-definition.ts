/** One container's image in a task definition, with its tag split out for people to read. */
export interface ContainerImage {
  container: string;
  image: string;
  /** The tag after the last ':' of the image's last path segment; the digest when pinned by digest; null when neither. */
  tag: string | null;
}

/** A task definition revision, as much of it as a rollback plan needs to show and act on. */
export interface TaskDefinitionRef {
  arn: string;
  family: string;
  revision: number;
  images: ContainerImage[];
}

/** `family:revision`, the short form people read and type. */
export function shortName(td: Pick<TaskDefinitionRef, 'family' | 'revision'>): string {
  return `${td.family}:${td.revision}`;
}

/** Splits a task definition ARN (or `family:revision`) into family and revision. */
export function parseTaskDefinitionArn(arnOrName: string): { family: string; revision: number } | null {
  const name = arnOrName.includes('/') ? arnOrName.slice(arnOrName.lastIndexOf('/') + 1) : arnOrName;
  const match = /^([A-Za-z0-9_-]{1,255}):(\d+)$/.exec(name);
  if (!match) return null;
  return { family: match[1]!, revision: Number(match[2]) };
}

/** The tag of an image reference (`repo/name:tag`, `name@sha256:…`), or null when it has none. */
export function imageTag(image: string): string | null {
  const at = image.indexOf('@');
  if (at >= 0) return image.slice(at + 1);
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  return colon >= 0 ? lastSegment.slice(colon + 1) : null;
}

/** The image reference with its tag (or digest) replaced by `tag`. */
export function withImageTag(image: string, tag: string): string {
  const at = image.indexOf('@');
  const base = at >= 0 ? image.slice(0, at) : image;
  const slash = base.lastIndexOf('/');
  const colon = base.lastIndexOf(':');
  const repo = colon > slash ? base.slice(0, colon) : base;
  return `${repo}:${tag}`;
}

/** The image reference without its tag or digest. */
export function imageRepository(image: string): string {
  return withImageTag(image, '').slice(0, -1);
}
