import { runSimulation, type EvaluationResult } from '@cloud-copilot/iam-simulate';
import type { IamRequest } from './aws-call-models.js';

/** One statement of an identity policy, as iam-policy.json writes them. */
export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** An identity policy document. */
export interface PolicyDocument {
  Version: string;
  Statement: PolicyStatement[];
}

/** IAM's answer to a request under `policy` alone, as AWS's policy evaluation logic would give it. */
export async function decide(policy: PolicyDocument, request: IamRequest, account: string): Promise<EvaluationResult> {
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${account}:role/rollback-bot`,
        action: request.action,
        resource: { resource: request.resource, accountId: account },
        contextVariables: request.context,
      },
      identityPolicies: [{ name: 'iam-policy.json', policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    { simulationMode: 'Strict' },
  );
  const subject = `${request.action} on ${request.resource}`;
  if (result.resultType === 'error') throw new Error(`${subject} could not be simulated: ${JSON.stringify(result.errors)}`);
  if (result.resultType === 'single') {
    const ignored = result.result.ignoredContextKeys ?? [];
    if (ignored.length > 0) throw new Error(`${subject}: AWS sets no ${ignored.join(', ')} for it; the model is wrong`);
    return result.overallResult;
  }
  // A call that names no resource is authorized against `*` itself: only a statement whose Resource is `*`
  // matches it, while the simulator would try each ARN pattern of the policy in its place.
  if (result.results.some((r) => r.analysis.result === 'ExplicitlyDenied')) return 'ExplicitlyDenied';
  return result.results.some((r) => r.resourcePattern === '*' && r.analysis.result === 'Allowed') ? 'Allowed' : 'ImplicitlyDenied';
}

/** A copy of the policy with one grant taken away, and what was taken. */
export interface Narrowing {
  removed: string;
  sid: string;
  policy: PolicyDocument;
}

/** Every copy of the policy with one action, Resource entry or condition value taken out (its statement, if the last). */
export function narrowings(policy: PolicyDocument): Narrowing[] {
  const result: Narrowing[] = [];
  policy.Statement.forEach((statement, index) => {
    const replaceWith = (replacement: PolicyStatement | null, removed: string) => {
      const statements = policy.Statement.flatMap((s, i) => (i !== index ? [s] : replacement ? [replacement] : []));
      result.push({ removed, sid: statement.Sid, policy: { ...policy, Statement: statements } });
    };
    statement.Action.forEach((action, i) =>
      replaceWith(statement.Action.length > 1 ? { ...statement, Action: statement.Action.filter((_, j) => j !== i) } : null, action),
    );
    const resources = [statement.Resource].flat();
    resources.forEach((resource, i) =>
      replaceWith(resources.length > 1 ? { ...statement, Resource: resources.filter((_, j) => j !== i) } : null, resource),
    );
    for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
      for (const [key, value] of Object.entries(keys)) {
        const values = [value].flat();
        values.forEach((v, i) => {
          const rest = values.filter((_, j) => j !== i);
          const condition = { ...statement.Condition, [operator]: { ...keys, [key]: rest } };
          replaceWith(rest.length > 0 ? { ...statement, Condition: condition } : null, `${operator} ${key} ${v}`);
        });
      }
    }
  });
  return result;
}
