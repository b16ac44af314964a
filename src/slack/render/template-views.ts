/**
 * The data each template in templates/ is rendered with. Every string here is already safe for
 * Slack mrkdwn: user text is escaped (`&`, `<`, `>`) before it gets here, and mentions and links
 * are built by the bot. Templates may therefore print any field as it is.
 */

import type { DatabaseTemplateViews } from './database-template-views.js';

/** One service's change, as every rollback template shows it. */
export interface ServiceChangeView {
  service: string;
  ecsService: string;
  /** `family:14` */
  from: string;
  /** `family:13`, or `new revision of family` */
  to: string;
  fromImages: string;
  toImages: string;
  /** What ECS is asked to do, in words. */
  action: string;
}

/** PagerDuty's part in a message. */
export interface PagerView {
  /** `opened`, `resolved`, `left open`, `not configured`, `unreachable` … */
  status: string;
  url: string | null;
}

/** rollback-started: the top-level message in the incidents channel, also re-rendered with its final state. */
export interface RollbackStartedView {
  rollbackId: string;
  environment: string;
  /** `in_progress` | `complete` | `unverified` | `failed`, with a boolean per state for `{{#if}}`. */
  state: 'in_progress' | 'complete' | 'unverified' | 'failed';
  inProgress: boolean;
  complete: boolean;
  unverified: boolean;
  failed: boolean;
  services: ServiceChangeView[];
  serviceCount: number;
  /** `<@U0ALICE>` */
  requestedBy: string;
  confirmedBy: string | null;
  approvedBy: string | null;
  /** Escaped and bounded; null when none was given. */
  reason: string | null;
  /** `SEV1` for production `all`, `SEV2` for a protected environment, else `SEV3`. */
  severity: string;
  /** `about 2 minutes` */
  expectedDuration: string;
  /** `2026-11-22 03:00 UTC` */
  startedAt: string;
  /** `3m 05s`, once finished. */
  duration: string | null;
  pagerduty: PagerView;
  /** Permalink of the message's own thread, once known. */
  threadLink: string | null;
}

/** What one service looks like at one moment of the rollback or its verification. */
export interface ServiceHealthView {
  service: string;
  rolloutState: string;
  runningCount: number;
  desiredCount: number;
  pendingCount: number;
  failedTasks: number;
  /** `200 in 45 ms (3 in a row)`, `timed out after 5 s`, or null without a health URL. */
  health: string | null;
  /** `shieldai-production-alb-5xx OK` each. */
  alarms: { name: string; state: string }[];
  /** `HTTPCode_Target_5XX_Count: 12`, or null. */
  metric: string | null;
  /** Anything else worth saying (a degradation, ECS's latest event). */
  note: string | null;
}

/** rollback-progress: a reply in the thread when something meaningfully changed. */
export interface RollbackProgressView {
  rollbackId: string;
  environment: string;
  /** `rolling back` or `verifying (2m 10s of 5m)` */
  phase: string;
  elapsed: string;
  services: ServiceHealthView[];
}

/** One service's end, as the final templates show it. */
export interface ServiceResultView extends ServiceChangeView {
  /** `succeeded` | `failed` | `timed_out` | `unchanged` */
  outcome: string;
  succeeded: boolean;
  duration: string;
  /** Why it failed, in ECS's words. */
  reason: string | null;
  /** `ECS stable; /health 200 ×5; alarms OK`, once verified. */
  verification: string | null;
}

/** rollback-complete: ROLLBACK COMPLETE in the thread (verified or not). */
export interface RollbackCompleteView {
  rollbackId: string;
  environment: string;
  verified: boolean;
  /** What is still wrong when not verified, one line each. */
  problems: string[];
  duration: string;
  services: ServiceResultView[];
  requestedBy: string;
  approvedBy: string | null;
  reason: string | null;
  pagerduty: PagerView;
}

/** rollback-failed: ROLLBACK FAILED in the thread. */
export interface RollbackFailedView {
  rollbackId: string;
  environment: string;
  duration: string;
  failedServices: ServiceResultView[];
  services: ServiceResultView[];
  requestedBy: string;
  reason: string | null;
  pagerduty: PagerView;
}

/** incident-announcement: a CloudWatch alarm went into ALARM on configured services. */
export interface IncidentAnnouncementView {
  environment: string;
  alarmName: string;
  /** CloudWatch's state reason, escaped. */
  reason: string;
  metric: string;
  /** `2026-11-22 03:00 UTC (4 minutes ago)` */
  since: string;
  services: {
    service: string;
    /** `deployed 12 minutes ago: family:13 → family:14`, or `no recent deployment found` */
    latestDeployment: string;
    /** The `rollback_offer` button's value for this service. */
    offerValue: string;
  }[];
  /** True when an auto-rollback already started for a service of this episode (the footer must not promise otherwise). */
  autoRollbackStarted: boolean;
  pagerduty: PagerView;
}

/** Each template's name and the view it is rendered with. */
export interface TemplateViews extends DatabaseTemplateViews {
  'rollback-started': RollbackStartedView;
  'rollback-progress': RollbackProgressView;
  'rollback-complete': RollbackCompleteView;
  'rollback-failed': RollbackFailedView;
  'incident-announcement': IncidentAnnouncementView;
}

/** The names of the templates in templates/. */
export type TemplateName = keyof TemplateViews;
