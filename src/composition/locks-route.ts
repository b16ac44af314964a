import type { DeployLocking } from '../rollbacks/deploy-locking.js';
import type { HttpRoute } from '../slack/app.js';

/**
 * `GET /locks/<env>/<service>` for deploy pipelines: 200 with `{ locked, by, reason, since }` (and the
 * rollback that set it), 404 with `{ error, message }` when the environment or service is not configured.
 */
export function locksRoute(locking: DeployLocking): HttpRoute {
  return {
    path: '/locks/:environment/:service',
    handle: async (req, res) => {
      const json = (status: number, body: Record<string, unknown>) =>
        res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
      const [environment, service] = new URL(req.url ?? '/', 'http://localhost').pathname.split('/').slice(2).map(decodeSegment);
      if (environment == null || service == null) return void json(404, { error: 'not_found', message: 'Use /locks/<environment>/<service>.' });
      const check = await locking.check(environment, service);
      if (check.kind === 'unknown') return void json(404, { error: 'not_found', message: check.message });
      const lock = check.lock;
      json(200, {
        environment: environment.toLowerCase(),
        service: service.toLowerCase(),
        locked: lock !== null,
        by: lock?.lockedBy ?? null,
        reason: lock?.reason ?? null,
        since: lock?.since.toISOString() ?? null,
        rollbackId: lock?.rollbackId ?? null,
      });
    },
  };
}

/** A path segment as text, or null when its %-escapes are malformed. */
function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch (err) {
    if (err instanceof URIError) return null;
    throw err;
  }
}
