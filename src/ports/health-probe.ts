/** One answer (or non-answer) of a service's health URL. */
export interface HealthProbeResult {
  /** True only for HTTP 200. */
  ok: boolean;
  /** The HTTP status, or null when no answer came (timeout, refused). */
  status: number | null;
  latencyMs: number;
  /** Why there was no answer, in a few words. */
  error?: string;
}

/** Asks a health URL, bounded by a timeout. Never throws. */
export interface HealthProbe {
  check(url: string, timeoutMs: number): Promise<HealthProbeResult>;
}
