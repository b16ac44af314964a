import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { Simulators } from './world.js';
import { SIMULATED_REGION } from './world.js';

/** One service the runbook rolls back, to a revision the operator already looked up. */
export interface RunbookStep {
  cluster: string;
  ecsService: string;
  /** `family:revision`. */
  taskDefinition: string;
}

/** How long the runbook took, on the simulators' clock. */
export interface RunbookResult {
  wallMs: number;
  calls: number;
}

/**
 * The runbook as a script, against the same simulators as the bot: for one service after another,
 * `aws ecs update-service --force-new-deployment`, then `aws ecs describe-services` every `pollMs`
 * until one deployment is left with every task running. Time spent looking up revisions and typing
 * is not counted, which flatters the runbook.
 */
export async function runRunbook(simulators: Simulators, steps: RunbookStep[], pollMs: number): Promise<RunbookResult> {
  const { clock } = simulators;
  const ecs = new ECSClient({
    region: SIMULATED_REGION,
    endpoint: simulators.ecs.url,
    credentials: { accessKeyId: simulators.env.AWS_ACCESS_KEY_ID!, secretAccessKey: simulators.env.AWS_SECRET_ACCESS_KEY! },
  });
  const started = clock.now();
  let calls = 0;
  try {
    for (const step of steps) {
      await ecs.send(new UpdateServiceCommand({ cluster: step.cluster, service: step.ecsService, taskDefinition: step.taskDefinition, forceNewDeployment: true }));
      calls++;
      for (;;) {
        await clock.sleep(pollMs);
        const { services } = await ecs.send(new DescribeServicesCommand({ cluster: step.cluster, services: [step.ecsService] }));
        calls++;
        const service = services?.[0];
        const deployments = service?.deployments ?? [];
        if (deployments.length === 1 && service?.runningCount === service?.desiredCount) break;
      }
    }
    return { wallMs: clock.now() - started, calls };
  } finally {
    ecs.destroy();
  }
}
