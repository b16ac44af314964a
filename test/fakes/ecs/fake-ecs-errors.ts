import { createHash } from 'node:crypto';

/** An error the fake answers the way ECS does: HTTP status, `__type` shape name and message. */
export class EcsApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** A stable pseudo-random identifier, so runs (and demo transcripts) come out the same every time. */
export function fakeId(seed: string, length: number, alphabet: 'digits' | 'base64url' = 'base64url'): string {
  const digest = createHash('sha256').update(seed).digest();
  if (alphabet === 'base64url') return digest.toString('base64url').slice(0, length);
  return [...digest].map((byte) => String(byte % 10)).join('').replace(/^0/, '1').slice(0, length);
}
