import type { HealthProbe, HealthProbeResult } from '../../ports/health-probe.js';

// Enough for any health document; a bigger body is cut off rather than read, which costs that one connection.
const BODY_LIMIT = 64 * 1024;
const DETAIL_MAX = 120;

// Node error codes (system and undici) whose meaning fits in a few words.
const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  UND_ERR_SOCKET: 'connection closed by the server',
  EPIPE: 'connection closed by the server',
  ENOTFOUND: 'host not found (DNS)',
  EAI_AGAIN: 'DNS lookup failed (temporary)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connect timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
};

/**
 * The HealthProbe over the global fetch. Redirects are not followed: a health URL that redirects (to a login page,
 * say) is not answering health, so its 3xx is reported as it is, and only a 200 of the URL itself counts as healthy.
 */
export function createHealthProbe(): HealthProbe {
  return {
    async check(url, timeoutMs): Promise<HealthProbeResult> {
      const started = performance.now();
      const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
      const invalid = invalidUrl(url);
      if (invalid) return { ok: false, status: null, latencyMs: 0, error: invalid };
      try {
        // One deadline for the whole exchange, body included, so no server can hold a check past it.
        const signal = AbortSignal.timeout(timeoutMs);
        const response = await fetch(url, { redirect: 'manual', signal });
        // Latency is time to the answer's headers: the status is the answer, the body only has to be cleared away.
        const latencyMs = elapsed();
        await discardBody(response);
        return { ok: response.status === 200, status: response.status, latencyMs };
      } catch (error) {
        return { ok: false, status: null, latencyMs: elapsed(), error: reason(error, timeoutMs) };
      }
    },
  };
}

function invalidUrl(url: string): string | undefined {
  if (!URL.canParse(url)) return 'invalid URL';
  const { protocol } = new URL(url);
  return protocol === 'http:' || protocol === 'https:' ? undefined : `not an http(s) URL (${protocol})`;
}

/** Reads the body to its end, so the connection goes back to the pool, unless it is longer than BODY_LIMIT. */
async function discardBody(response: Response): Promise<void> {
  if (!response.body) return;
  const reader = response.body.getReader();
  try {
    for (let read = 0; read <= BODY_LIMIT; ) {
      const chunk = await reader.read();
      if (chunk.done) return;
      read += chunk.value.byteLength;
    }
    await reader.cancel();
  } catch {
    // A body cut short (by the deadline or the server) does not change the status already received.
  }
}

function reason(error: unknown, timeoutMs: number): string {
  if (!(error instanceof Error)) return short(String(error));
  if (error.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  const cause = error.cause instanceof Error ? (error.cause as Error & { code?: unknown }) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  if (code && REASONS[code]) return REASONS[code];
  if (code && /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/.test(code)) return `TLS failed (${code})`;
  return short(code ?? cause?.message ?? error.message);
}

function short(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > DETAIL_MAX ? `${line.slice(0, DETAIL_MAX - 1)}…` : line;
}
