import { z } from 'zod';

/** Words the command grammar gives a meaning of its own, so they cannot name an environment or service. */
export const RESERVED_WORDS = ['all', 'help', 'status', 'history', 'db', 'lock', 'unlock', 'snapshot', 'to'] as const;

const name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lowercase letters, digits, - or _ (at most 63)')
  .refine((n) => !(RESERVED_WORDS as readonly string[]).includes(n), {
    message: `is a reserved word (${RESERVED_WORDS.join(', ')})`,
  });
const slackUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'must be a Slack user ID such as U0ALICE');
/** Who may request: a Slack user, or a command-line actor (`cli:<name>`, the CLI's --actor or $USER). */
const requesterId = z
  .string()
  .regex(/^(?:[UW][A-Z0-9]{2,}|cli:[A-Za-z0-9._@-]{1,64})$/, 'must be a Slack user ID such as U0ALICE, or cli:<name> for the command line');
const slackChannelId = z.string().regex(/^[CGD][A-Z0-9]{2,}$/, 'must be a Slack channel ID such as C0INCIDENTS');
const awsName = z.string().min(1).max(255).regex(/^[A-Za-z0-9_.:/-]+$/, 'must be an AWS resource name');

/** The tunables that `defaults` sets and each environment may override. */
const tunables = {
  pollSeconds: z.number().positive().max(300),
  timeoutMinutes: z.number().positive().max(24 * 60),
  verifyMinutes: z.number().min(0).max(24 * 60),
  promptExpiryMinutes: z.number().positive().max(24 * 60),
  concurrency: z.number().int().min(1).max(100),
  restoreTimeoutMinutes: z.number().positive().max(24 * 60),
};

/** The values `defaults` stands for when the file leaves them out (CONTRACT.md). */
export const DEFAULT_TUNABLES: Tunables = {
  pollSeconds: 5,
  timeoutMinutes: 15,
  verifyMinutes: 5,
  promptExpiryMinutes: 15,
  concurrency: 10,
  restoreTimeoutMinutes: 120,
};

/** How often the alarm watcher polls CloudWatch when `defaults.alarmPollSeconds` is not set. */
export const DEFAULT_ALARM_POLL_SECONDS = 30;

const metricSchema = z.strictObject({
  namespace: z.string().min(1).max(255),
  metricName: z.string().min(1).max(255),
  dimensions: z.record(z.string().min(1).max(255), z.string().min(1).max(1024)).default({}),
  stat: z.string().min(1).max(50).default('Sum'),
  periodSeconds: z.number().int().positive().max(86_400).default(60),
});

/** `autoRollback`, on an environment or a service (the service's wins): when an alarm may roll back by itself. */
const autoRollbackSchema = z.strictObject({
  /** Omitted: every alarm that maps to the service; `[]` lets a service opt out of its environment's. */
  alarms: z.array(z.string().min(1).max(255)).optional(),
  withinMinutesOfDeploy: z.number().positive().max(24 * 60).default(30),
  requireConfirmation: z.boolean().default(true),
});

const serviceSchema = z.strictObject({
  ecsService: awsName,
  healthCheckUrl: z.url({ protocol: /^https?$/ }).optional(),
  alarms: z.array(z.string().min(1).max(255)).optional(),
  /** One CloudWatch metric shown while the rollback is watched, e.g. the ALB's 5xx count. */
  metric: metricSchema.optional(),
  autoRollback: autoRollbackSchema.optional(),
});

const databaseSchema = z.strictObject({
  dbInstanceIdentifier: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,62}$/, 'must be an RDS DB instance identifier'),
});

const environmentSchema = z.strictObject({
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as us-east-1'),
  cluster: awsName,
  protected: z.boolean().default(false),
  requesters: z.array(requesterId).optional(),
  approvers: z.array(slackUserId).optional(),
  ...z.object(tunables).partial().shape,
  /** Like every key of `defaults`, repeatable here; the one alarm watcher polls as often as the most demanding environment asks. */
  alarmPollSeconds: z.number().min(1).max(3600).optional(),
  /** Alarms whose names start with one of these are watched too (see README: alarm announcements). */
  alarmPrefixes: z.array(z.string().min(1).max(255)).optional(),
  autoRollback: autoRollbackSchema.optional(),
  services: z.record(name, serviceSchema).refine((s) => Object.keys(s).length > 0, 'needs at least one service'),
  databases: z.record(name, databaseSchema).optional(),
});

/** The YAML config file, as CONTRACT.md defines it. Unknown keys are errors. */
export const configFileSchema = z.strictObject({
  incidentsChannel: slackChannelId,
  defaults: z.strictObject({ ...tunables, alarmPollSeconds: z.number().min(1).max(3600) }).partial().optional(),
  pagerduty: z
    .strictObject({
      serviceId: z.string().regex(/^P[A-Z0-9]{2,}$/, 'must be a PagerDuty service ID such as PSERVICE1').optional(),
      urgency: z.enum(['high', 'low']).default('high'),
    })
    .optional(),
  environments: z
    .record(name, environmentSchema)
    .refine((e) => Object.keys(e).length > 0, 'needs at least one environment'),
});

export type Tunables = { [K in keyof typeof tunables]: z.infer<(typeof tunables)[K]> };
export type ConfigFile = z.infer<typeof configFileSchema>;
export type ServiceConfig = z.infer<typeof serviceSchema>;
/** `autoRollback` as parsed, defaults applied. */
export type AutoRollbackConfig = z.infer<typeof autoRollbackSchema>;
export type DatabaseConfig = z.infer<typeof databaseSchema>;
