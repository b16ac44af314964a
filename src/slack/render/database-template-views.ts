/**
 * The data the database templates in templates/ are rendered with. As in template-views.ts, every string is
 * already safe for Slack mrkdwn: user text is escaped, mentions and links are built by the bot.
 */
import type { PagerView } from './template-views.js';

/** What every database template says about the restore. */
export interface RestoreSubjectView {
  rollbackId: string;
  environment: string;
  /** Our config's name, e.g. `main`. */
  database: string;
  sourceInstance: string;
  targetInstance: string;
  preRestoreSnapshot: string;
  /** `point in time 2026-11-22 02:30:00 UTC` or `snapshot rds:…` */
  restoreTo: string;
  /** `postgres 15.4` */
  engine: string;
  /** What is copied from the source: `db.r6g.large, Multi-AZ, gp3 …` */
  settings: string;
}

/** restore-started: the top-level message in the incidents channel, re-rendered with its final state. */
export interface RestoreStartedView extends RestoreSubjectView {
  state: 'in_progress' | 'complete' | 'failed';
  inProgress: boolean;
  complete: boolean;
  failed: boolean;
  requestedBy: string;
  confirmedBy: string | null;
  approvedBy: string | null;
  reason: string | null;
  /** `SEV1` in a protected environment, else `SEV2`. */
  severity: string;
  /** `10 to 60+ minutes; the bot waits up to 120 min for each of the snapshot and the restore` */
  expectedDuration: string;
  startedAt: string;
  duration: string | null;
  /** `host:port` once available. */
  endpoint: string | null;
  pagerduty: PagerView;
  threadLink: string | null;
}

/** restore-progress: a reply in the thread on each change and every few minutes. */
export interface RestoreProgressView extends RestoreSubjectView {
  /** `snapshotting the source`, `restoring into the new instance`, `waiting for the source` */
  step: string;
  /** RDS's status: `creating`, `backing-up`… */
  status: string;
  /** `45%`, when RDS says. */
  percent: string | null;
  elapsed: string;
  note: string | null;
}

/** restore-complete: ROLLBACK COMPLETE in the thread, with the endpoint and what people do next. */
export interface RestoreCompleteView extends RestoreSubjectView {
  duration: string;
  endpoint: string;
  /** The exact next steps, one sentence each; the bot does none of them. */
  nextSteps: string[];
  requestedBy: string;
  approvedBy: string | null;
  reason: string | null;
  pagerduty: PagerView;
}

/** restore-failed: ROLLBACK FAILED in the thread. */
export interface RestoreFailedView extends RestoreSubjectView {
  duration: string;
  /** `failed` or `timed out` */
  outcome: string;
  problem: string;
  requestedBy: string;
  reason: string | null;
  pagerduty: PagerView;
}

/** The database templates' names and views. */
export interface DatabaseTemplateViews {
  'restore-started': RestoreStartedView;
  'restore-progress': RestoreProgressView;
  'restore-complete': RestoreCompleteView;
  'restore-failed': RestoreFailedView;
}
