import type { Catalog } from '../domain/catalog.js';
import type { Logger } from '../ports/logger.js';
import type { RollbackStore } from '../ports/store.js';
import type { BotMetrics } from '../observability/metrics.js';
import type { PromptAnswerer } from '../rollbacks/answer-prompt.js';
import type { DatabaseRestoreRequester } from '../rollbacks/database-restore-requester.js';
import type { DatabaseSnapshots } from '../rollbacks/database-snapshots.js';
import type { RollbackRequester } from '../rollbacks/request-rollback.js';
import type { BackgroundTasks } from './background-tasks.js';
import type { SlackPoster } from './slack-poster.js';

/** What the Slack listeners and notifiers are given by the composition root. */
export interface SlackDeps {
  catalog: Catalog;
  requester: RollbackRequester;
  answerer: PromptAnswerer;
  /** Only the prompt records: where each prompt's message landed, so it can be updated later. */
  prompts: Pick<RollbackStore, 'savePrompt' | 'getPrompt'>;
  poster: SlackPoster;
  metrics: BotMetrics;
  logger: Logger;
  tasks: BackgroundTasks;
  now: () => number;
  /** `/rollback db … to …`: plans a restore and creates the rollback the prompt buttons then answer. */
  databaseRestores: DatabaseRestoreRequester;
  /** `/rollback db … snapshots` and `/rollback snapshot …`. */
  databaseSnapshots: DatabaseSnapshots;
}
