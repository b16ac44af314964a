import { randomBytes } from 'node:crypto';

/** A note on an incident, as added through the REST API. */
export interface FakeNote {
  id: string;
  content: string;
  /** The `From` header of the request that added it. */
  from: string;
}

/** An incident as the fake holds it, whichever API opened it. */
export interface FakeIncident {
  id: string;
  incident_number: number;
  title: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  incident_key: string;
  urgency: 'high' | 'low';
  serviceId: string;
  html_url: string;
  openedVia: 'events' | 'rest';
  /** The REST `body.details`, or the event's payload. */
  details: unknown;
  notes: FakeNote[];
  /** The `resolution` given when it was resolved through the REST API. */
  resolution?: string;
  created_at: string;
  updated_at: string;
}

/** What an API answer needs: a status and a JSON body. */
export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** The service that Events API incidents open on (a routing key belongs to one service). */
export const EVENTS_SERVICE_ID = 'PEVENTS1';

const OPEN = new Set<FakeIncident['status']>(['triggered', 'acknowledged']);

/** The fake account's incidents: opened by events or REST calls, updated in place, rendered as PagerDuty renders them. */
export class IncidentBook {
  readonly incidents: FakeIncident[] = [];

  constructor(private readonly apiUrl: () => string) {}

  /** Applies an accepted Events API v2 event and answers 202 as PagerDuty does. */
  applyEvent(event: { event_action: string; dedup_key?: string; payload?: { summary?: string } }): Answer {
    // PagerDuty makes up a key for a trigger without one and returns it.
    const key = event.dedup_key ?? randomBytes(16).toString('hex');
    const open = this.incidents.find((i) => i.incident_key === key && OPEN.has(i.status));
    if (event.event_action === 'trigger' && !open) {
      this.open({ title: event.payload?.summary ?? '', incident_key: key, urgency: 'high', serviceId: EVENTS_SERVICE_ID, openedVia: 'events', details: event.payload });
    } else if (open && event.event_action !== 'trigger') {
      this.update(open, event.event_action === 'resolve' ? 'resolved' : 'acknowledged');
    }
    return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: key } };
  }

  /** `POST /incidents` with a body the spec accepts. */
  create(body: { incident: { title: string; service: { id: string }; urgency?: 'high' | 'low'; incident_key?: string; body?: { details?: unknown } } }): Answer {
    const { incident } = body;
    const key = incident.incident_key ?? randomBytes(16).toString('hex');
    if (this.incidents.some((i) => i.incident_key === key && i.serviceId === incident.service.id && OPEN.has(i.status))) {
      // The spec's prose: a request naming the incident_key of an open incident on the same service is rejected.
      return restError(400, 'Invalid Input Provided', 2001, [`Open incident with key '${key}' already exists on this service`]);
    }
    const created = this.open({
      title: incident.title,
      incident_key: key,
      urgency: incident.urgency ?? 'high',
      serviceId: incident.service.id,
      openedVia: 'rest',
      details: incident.body?.details,
    });
    return { status: 201, body: { incident: this.render(created) } };
  }

  /** `POST /incidents/{id}/notes`. */
  addNote(id: string, content: string, from: string): Answer {
    const incident = this.incidents.find((i) => i.id === id);
    if (!incident) return notFound();
    const note: FakeNote = { id: `N${incident.notes.length + 1}${incident.id}`, content, from };
    incident.notes.push(note);
    const now = new Date().toISOString();
    return {
      status: 200,
      body: { note: { id: note.id, user: { id: 'PUSER01', type: 'user_reference', summary: from }, channel: { summary: 'The PagerDuty website or APIs' }, content, created_at: now } },
    };
  }

  /** `PUT /incidents/{id}`. */
  change(id: string, update: { status?: FakeIncident['status']; resolution?: string }): Answer {
    const incident = this.incidents.find((i) => i.id === id);
    if (!incident) return notFound();
    if (update.status) this.update(incident, update.status);
    if (update.status === 'resolved' && update.resolution !== undefined) incident.resolution = update.resolution;
    return { status: 200, body: { incident: this.render(incident) } };
  }

  private open(fields: Pick<FakeIncident, 'title' | 'incident_key' | 'urgency' | 'serviceId' | 'openedVia' | 'details'>): FakeIncident {
    const number = this.incidents.length + 1;
    const id = `P${number.toString(36).toUpperCase().padStart(6, '0')}`;
    const now = new Date().toISOString();
    const incident: FakeIncident = {
      ...fields,
      id,
      incident_number: number,
      status: 'triggered',
      html_url: `https://fake.pagerduty.com/incidents/${id}`,
      notes: [],
      created_at: now,
      updated_at: now,
    };
    this.incidents.push(incident);
    return incident;
  }

  private update(incident: FakeIncident, status: FakeIncident['status']): void {
    incident.status = status;
    incident.updated_at = new Date().toISOString();
  }

  private render(incident: FakeIncident): Record<string, unknown> {
    const self = `${this.apiUrl()}/incidents/${incident.id}`;
    return {
      id: incident.id,
      type: 'incident',
      summary: `[#${incident.incident_number}] ${incident.title}`,
      self,
      html_url: incident.html_url,
      incident_number: incident.incident_number,
      title: incident.title,
      status: incident.status,
      incident_key: incident.incident_key,
      urgency: incident.urgency,
      created_at: incident.created_at,
      updated_at: incident.updated_at,
      service: { id: incident.serviceId, type: 'service_reference', self: `${this.apiUrl()}/services/${incident.serviceId}` },
      assignments: [],
    };
  }
}

/** A REST error body as PagerDuty shapes it. */
export function restError(status: number, message: string, code: number, errors: string[] = []): Answer {
  return { status, body: { error: { message, code, ...(errors.length > 0 ? { errors } : {}) } } };
}

function notFound(): Answer {
  return restError(404, 'Not Found', 2100);
}
