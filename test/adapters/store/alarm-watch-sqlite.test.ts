import { describeAlarmWatchContract } from './alarm-watch-contract.js';
import { sqliteHarness } from './harness.js';

describeAlarmWatchContract('SQLite', sqliteHarness('rollback-bot-alarm-watch'));
