import type { RolloutBehaviour, TaskCounts } from './fake-ecs-rollout.js';

/** One entry of a service's `deployments` list. */
export interface DeploymentEntry {
  id: string;
  status: 'PRIMARY' | 'ACTIVE';
  taskDefinitionArn: string;
  serviceRevisionArn: string;
  /** The service deployment (history record) this deployment carries out. */
  serviceDeploymentArn: string;
  desiredCount: number;
  createdAt: number;
  behaviour: RolloutBehaviour;
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason: string;
  /** Counts once the deployment stopped moving (completed, failed, halted or replaced); null while it rolls out. */
  settled: TaskCounts | null;
}

/** A service revision: the configuration one service deployment moved to. */
export interface ServiceRevision {
  arn: string;
  serviceArn: string;
  clusterArn: string;
  taskDefinitionArn: string;
  createdAt: number;
}

/** One entry of ECS's deployment history (ListServiceDeployments / DescribeServiceDeployments). */
export interface HistoryRecord {
  arn: string;
  serviceKey: string;
  createdAt: number;
  updatedAt: number;
  finishedAt?: number;
  stoppedAt?: number;
  sourceRevisionArns: string[];
  targetRevisionArn: string;
  /** The forward deployment (not a rollback's). */
  deploymentId: string;
  status: string;
  statusReason?: string;
  breaker: { enable: boolean; rollback: boolean };
  breakerStatus: 'MONITORING' | 'TRIGGERED' | 'MONITORING_COMPLETE' | 'DISABLED';
  failureCount: number;
  rollback?: { reason: string; startedAt: number; serviceRevisionArn: string };
  /** When a requested rollback starts (ROLLBACK_REQUESTED → ROLLBACK_IN_PROGRESS). */
  rollbackStartsAt?: number;
}

/** A service and everything ECS tracks about its deployments. */
export interface ServiceState {
  key: string;
  region: string;
  cluster: string;
  name: string;
  arn: string;
  clusterArn: string;
  createdAt: number;
  desiredCount: number;
  circuitBreaker: { enable: boolean; rollback: boolean };
  behaviour: Partial<RolloutBehaviour>;
  behaviourByTaskDefinition: Map<string, Partial<RolloutBehaviour>>;
  /** PRIMARY first. */
  deployments: DeploymentEntry[];
  /** Newest first. */
  events: { id: string; createdAt: number; message: string }[];
  /** Oldest first. */
  history: HistoryRecord[];
}
