import type { Command } from '../../domain/command.js';
import type { DeployLocking } from '../../rollbacks/deploy-locking.js';
import type { RollbackHistory } from '../../rollbacks/rollback-history.js';
import type { StatusReporter } from '../../rollbacks/status-report.js';
import { notice, type SlackMessage } from '../render/messages.js';
import { historyMessage, lockResultMessage, statusMessage, unlockResultMessage } from '../render/operator-messages.js';

/** The use cases behind `/rollback status`, `history`, `lock` and `unlock`. */
export interface OperatorUseCases {
  status: StatusReporter;
  history: RollbackHistory;
  locking: DeployLocking;
}

/** The commands that read state or freeze deploys, as opposed to rolling back. */
export type OperatorCommand = Extract<Command, { kind: 'status' | 'history' | 'lock' | 'unlock' }>;

/** Whether `command` is one of the operator commands. */
export function isOperatorCommand(command: Command): command is OperatorCommand {
  return command.kind === 'status' || command.kind === 'history' || command.kind === 'lock' || command.kind === 'unlock';
}

/** Runs one operator command for `user` and returns the ephemeral answer. */
export async function answerOperatorCommand(command: OperatorCommand, user: string, useCases: OperatorUseCases): Promise<SlackMessage> {
  switch (command.kind) {
    case 'status': {
      const outcome = await useCases.status.report(command.environment);
      return outcome.kind === 'ok' ? statusMessage(outcome.status) : notice(`:warning: ${outcome.message}`);
    }
    case 'history':
      return historyMessage(await useCases.history.list(command.environment, command.service));
    case 'lock':
      return lockResultMessage(await useCases.locking.lock(command.environment, command.service, user, command.reason));
    case 'unlock':
      return unlockResultMessage(command.environment, command.service, await useCases.locking.unlock(command.environment, command.service, user));
  }
}
