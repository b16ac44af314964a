import { describeAlarmWatchContract } from './alarm-watch-contract.js';
import { describeOnPostgres } from './harness.js';

describeOnPostgres('PostgreSQL leases and alarm episodes', 'rb_alarm', (postgres) => {
  describeAlarmWatchContract('PostgreSQL', postgres);
});
