/** The incident a rollback or alarm episode opened. */
export interface IncidentRef {
  dedupKey: string;
  /** REST API incident id, when the incident was opened through the REST API. */
  incidentId?: string;
  /** Link for people, when PagerDuty gave one. */
  htmlUrl?: string;
}

/** PagerDuty's answer: the value, or why it could not be had. Pager calls never throw. */
export type PagerResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** What opening an incident needs. */
export interface IncidentRequest {
  dedupKey: string;
  summary: string;
  /** The affected system, e.g. `production/api`. */
  source: string;
  severity: 'critical' | 'error' | 'warning' | 'info';
  customDetails: Record<string, unknown>;
  links: { href: string; text: string }[];
}

/**
 * Opens, annotates and resolves incidents. Every call has its own deadline and reports failure as a
 * value, so PagerDuty can never delay or fail a rollback.
 */
export interface PagerPort {
  /** `events` (Events API v2 only), `rest` (REST incident with notes), or `off` (not configured). */
  readonly mode: 'events' | 'rest' | 'off';
  trigger(request: IncidentRequest): Promise<PagerResult<IncidentRef>>;
  /** Adds a note to the incident; in `events` mode there are no notes and this resolves `{ ok: true }` without a call. */
  note(incident: IncidentRef, text: string): Promise<PagerResult<void>>;
  resolve(incident: IncidentRef, summary: string): Promise<PagerResult<void>>;
}
