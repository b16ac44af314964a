import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.js';
import { FakeRds } from './fake-rds-server.js';

let rds: FakeRds;

beforeEach(async () => {
  rds = new FakeRds({ clock: new FakeClock() });
  await rds.start();
  rds.addInstance({ id: 'db-1' });
});

afterEach(async () => {
  await rds.stop();
});

async function post(form: string): Promise<{ status: number; body: string }> {
  const response = await fetch(rds.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  return { status: response.status, body: await response.text() };
}

describe('the fake RDS holds requests to the model', () => {
  it('answers a model-valid request with the XML the SDK parses, typed values decoded', async () => {
    const answer = await post('Action=DescribeDBSnapshots&Version=2014-10-31&DBInstanceIdentifier=db-1&MaxRecords=20');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatch(/^<DescribeDBSnapshotsResponse xmlns="http:\/\/rds\.amazonaws\.com\/doc\/2014-10-31\/"><DescribeDBSnapshotsResult><DBSnapshots><\/DBSnapshots><\/DescribeDBSnapshotsResult>/);
    expect(rds.requests[0]!.input).toEqual({ DBInstanceIdentifier: 'db-1', MaxRecords: 20 });
    expect(rds.violations).toEqual([]);
  });

  it('refuses and records a member the input does not have, a missing required member and a mistyped value', async () => {
    const answer = await post('Action=CreateDBSnapshot&Version=2014-10-31&DBInstanceIdentifier=db-1&Bogus=1&Tags.Tag.1.Key=a&Tags.Tag.1.Value=b');
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('<Code>InvalidParameterValue</Code>');
    await post('Action=RestoreDBInstanceToPointInTime&Version=2014-10-31&SourceDBInstanceIdentifier=db-1&TargetDBInstanceIdentifier=db-2&MultiAZ=yes');
    expect(rds.violations).toEqual([
      "CreateDBSnapshot: Bogus: not a member of CreateDBSnapshot's input",
      'CreateDBSnapshot: DBSnapshotIdentifier: missing required member of CreateDBSnapshotMessage',
      'RestoreDBInstanceToPointInTime: MultiAZ: expected boolean, got string "yes"',
    ]);
    expect(rds.mutatingRequests().map((r) => r.operation)).toEqual(['CreateDBSnapshot', 'RestoreDBInstanceToPointInTime']);
    expect(rds.state.instances.has('db-2')).toBe(false);
  });

  it('answers RDS errors as <ErrorResponse> with the model’s code and HTTP status, and unknown actions as violations', async () => {
    const missing = await post('Action=DescribeDBInstances&Version=2014-10-31&DBInstanceIdentifier=nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatch(/<ErrorResponse xmlns="[^"]+"><Error><Type>Sender<\/Type><Code>DBInstanceNotFound<\/Code><Message>DBInstance nope not found\.<\/Message><\/Error><RequestId>/);
    await post('Action=DeleteEverything&Version=2014-10-31');
    expect(rds.violations).toEqual(['POST Action=DeleteEverything Version=2014-10-31: not an RDS 2014-10-31 request']);
  });
});
