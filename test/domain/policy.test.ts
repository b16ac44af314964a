import { describe, expect, it } from 'vitest';
import { decideRequest, mayApprove, mayConfirm } from '../../src/domain/policy.js';
import { sampleCatalog } from '../support/catalog.js';

const { production, staging } = sampleCatalog().environments as Record<string, NonNullable<ReturnType<typeof sampleCatalog>['environments'][string]>>;
const single = { allServices: false, database: false, dryRun: false };

describe('policy', () => {
  it('starts unprotected rollbacks at once', () => {
    expect(decideRequest(staging!, 'U0ANYONE', single)).toEqual({ allowed: true, needsConfirmation: false, needsSecondApproval: false });
  });

  it('asks for confirmation in a protected environment, and a second person for all', () => {
    expect(decideRequest(production!, 'U0ALICE', single)).toEqual({ allowed: true, needsConfirmation: true, needsSecondApproval: false });
    expect(decideRequest(production!, 'U0ALICE', { ...single, allServices: true })).toEqual({ allowed: true, needsConfirmation: true, needsSecondApproval: true });
  });

  it('always wants two people for a database, even in an unprotected environment', () => {
    expect(decideRequest(staging!, 'U0ANYONE', { ...single, database: true })).toEqual({ allowed: true, needsConfirmation: true, needsSecondApproval: true });
  });

  it('refuses requesters who are not listed, naming who may', () => {
    const d = decideRequest(production!, 'U0MALLORY', single);
    expect(d).toEqual({ allowed: false, reason: 'Only <@U0ALICE>, <@U0BOB> may start rollbacks in production.' });
  });

  it('lets a dry run through without prompts', () => {
    expect(decideRequest(production!, 'U0ALICE', { ...single, allServices: true, dryRun: true })).toEqual({ allowed: true, needsConfirmation: false, needsSecondApproval: false });
  });

  it('lets only the requester confirm', () => {
    expect(mayConfirm('U0ALICE', 'U0ALICE')).toEqual({ allowed: true });
    expect(mayConfirm('U0ALICE', 'U0BOB')).toMatchObject({ allowed: false });
  });

  it('refuses self-approval and approvers who are not listed', () => {
    expect(mayApprove(production!, 'U0ALICE', 'U0ALICE')).toMatchObject({ allowed: false });
    expect(mayApprove(production!, 'U0ALICE', 'U0BOB')).toMatchObject({ allowed: false, reason: expect.stringContaining('<@U0CAROL>') });
    expect(mayApprove(production!, 'U0ALICE', 'U0CAROL')).toEqual({ allowed: true });
    expect(mayApprove(staging!, 'U0ALICE', 'U0DAVE')).toEqual({ allowed: true });
  });
});
