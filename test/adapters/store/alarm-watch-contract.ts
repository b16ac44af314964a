import { describe, expect, it } from 'vitest';
import type { StoreDatabase } from '../../../src/adapters/store/database.js';
import type { OpenStoreOptions } from '../../../src/adapters/store/open-store.js';
import { SqlAlarmEpisodes } from '../../../src/adapters/store/sql-alarm-episodes.js';
import { SqlLeases } from '../../../src/adapters/store/sql-leases.js';
import type { NewAlarmEpisode } from '../../../src/ports/alarm-episodes.js';
import { at, T0, uniqueId } from './fixtures.js';
import { useStores, type StoreHarness } from './harness.js';

const TTL = 90_000;

function anEpisode(overrides: Partial<NewAlarmEpisode> = {}): NewAlarmEpisode {
  return {
    id: uniqueId('ep'),
    region: 'us-east-1',
    alarmName: 'prod-5xx',
    startedAt: at(1),
    targets: [{ environment: 'production', service: 'api' }],
    ...overrides,
  };
}

/** Leases and alarm episodes: what keeps one watcher, and one announcement per episode, across replicas. */
export function describeAlarmWatchContract(label: string, harness: StoreHarness): void {
  // One after another: an SQLite file's first opening migrates it, and a second migration started in
  // the same thread meanwhile would wait on a lock that thread holds. The race is in what they do next.
  const openReplicas = async <T>(options: OpenStoreOptions, adapter: (database: StoreDatabase) => T): Promise<T[]> => {
    const replicas: T[] = [];
    for (let i = 0; i < 4; i++) replicas.push(adapter(await open(options)));
    return replicas;
  };
  const { open } = useStores(harness);

  describe(`${label}: leases`, () => {

    it('is taken when free, renewed by its holder, refused to others while live, and taken over once expired', async () => {
      const leases = new SqlLeases(await open());
      expect(await leases.holder('alarm-watcher', T0)).toBeNull();
      expect(await leases.acquire('alarm-watcher', 'a', T0, TTL)).toBe(true);
      expect(await leases.acquire('alarm-watcher', 'b', at(1), TTL)).toBe(false);
      expect(await leases.acquire('alarm-watcher', 'a', at(1), TTL)).toBe(true);
      expect(await leases.holder('alarm-watcher', at(2))).toBe('a');
      // Renewed at minute 1, so it lives until 2.5; at exactly its expiry it is free.
      expect(await leases.acquire('alarm-watcher', 'b', new Date(at(1).getTime() + TTL - 1), TTL)).toBe(false);
      expect(await leases.holder('alarm-watcher', new Date(at(1).getTime() + TTL))).toBeNull();
      expect(await leases.acquire('alarm-watcher', 'b', new Date(at(1).getTime() + TTL), TTL)).toBe(true);
      expect(await leases.holder('alarm-watcher', at(3))).toBe('b');
    });

    it('is given up only by its holder, and leases of other names are independent', async () => {
      const leases = new SqlLeases(await open());
      await leases.acquire('alarm-watcher', 'a', T0, TTL);
      expect(await leases.acquire('rollback:rb-1', 'b', T0, TTL)).toBe(true);
      await leases.release('alarm-watcher', 'b');
      expect(await leases.holder('alarm-watcher', T0)).toBe('a');
      await leases.release('alarm-watcher', 'a');
      expect(await leases.holder('alarm-watcher', T0)).toBeNull();
      expect(await leases.acquire('alarm-watcher', 'c', T0, TTL)).toBe(true);
      expect(await leases.holder('rollback:rb-1', T0)).toBe('b');
    });

    it('goes to exactly one of several replicas asking at once, free or expired', async () => {
      const options = await harness.freshOptions();
      const replicas = await openReplicas(options, (database) => new SqlLeases(database));
      for (let round = 0; round < 5; round++) {
        const now = at(round * 10);
        const won = await Promise.all(replicas.flatMap((r, i) => [r.acquire('race', `replica-${i}`, now, TTL), r.acquire('race', `replica-${i}-bis`, now, TTL)]));
        expect(won.filter(Boolean)).toHaveLength(1);
        const winner = await replicas[0]!.holder('race', now);
        expect(winner).toMatch(/^replica-\d(-bis)?$/);
      }
    });
  });

  describe(`${label}: alarm episodes`, () => {

    it('records a move into ALARM once, and keeps one episode open per alarm', async () => {
      const episodes = new SqlAlarmEpisodes(await open());
      const first = anEpisode();
      expect(await episodes.open(first, at(1))).toBe(true);
      expect(await episodes.open({ ...first, id: uniqueId('ep') }, at(2))).toBe(false);
      expect(await episodes.open(anEpisode({ startedAt: at(3) }), at(3))).toBe(false);
      expect(await episodes.open(anEpisode({ region: 'eu-west-1' }), at(3))).toBe(true);
      expect(await episodes.open(anEpisode({ alarmName: 'prod-latency' }), at(3))).toBe(true);
      expect((await episodes.listOpen()).map((e) => [e.alarmName, e.region])).toEqual([
        ['prod-5xx', 'eu-west-1'],
        ['prod-5xx', 'us-east-1'],
        ['prod-latency', 'us-east-1'],
      ]);

      expect(await episodes.recover(first.id, at(5))).toBe(true);
      expect(await episodes.recover(first.id, at(6))).toBe(false);
      expect(await episodes.open({ ...first, id: uniqueId('ep') }, at(7))).toBe(false);
      expect(await episodes.open(anEpisode({ startedAt: at(7) }), at(7))).toBe(true);
    });

    it('round-trips actions, the announcement and the incident, and lists recovered episodes whose incident is open', async () => {
      const episodes = new SqlAlarmEpisodes(await open());
      const episode = anEpisode();
      await episodes.open(episode, at(1));
      const actions = [
        { environment: 'production', service: 'api', decision: 'auto-rollback' as const, why: null, rollbackId: 'rb-202611220301-abcdef', outcome: null },
        { environment: 'production', service: 'web', decision: 'offer' as const, why: 'outside-window' as const, rollbackId: null, outcome: null },
      ];
      await episodes.saveActions(episode.id, actions);
      const incident = { dedupKey: 'prod-5xx:2026-11-22T03:01:00.000Z', incidentId: 'Q1', htmlUrl: 'https://pd.example/incidents/Q1' };
      await episodes.saveAnnouncement(episode.id, { channel: 'C0INCIDENTS', ts: '1795316460.000100' }, incident, at(2));
      expect(await episodes.get(episode.id)).toEqual({
        ...episode,
        actions,
        announcement: { channel: 'C0INCIDENTS', ts: '1795316460.000100' },
        announcedAt: at(2),
        incident,
        recoveredAt: null,
        incidentResolvedAt: null,
      });

      expect(await episodes.listAwaitingResolution()).toEqual([]);
      await episodes.recover(episode.id, at(9));
      expect((await episodes.listAwaitingResolution()).map((e) => e.id)).toEqual([episode.id]);
      expect(await episodes.markIncidentResolved(episode.id, at(10))).toBe(true);
      expect(await episodes.markIncidentResolved(episode.id, at(11))).toBe(false);
      expect(await episodes.listAwaitingResolution()).toEqual([]);
      expect(await episodes.get('ep-unknown')).toBeNull();
    });

    it('records an announcement that could not be posted, with no incident', async () => {
      const episodes = new SqlAlarmEpisodes(await open());
      const episode = anEpisode();
      await episodes.open(episode, at(1));
      await episodes.saveAnnouncement(episode.id, null, null, at(2));
      expect(await episodes.get(episode.id)).toMatchObject({ announcement: null, incident: null, announcedAt: at(2) });
    });

    it('lets exactly one of several replicas open the same episode, or a rival one, at once', async () => {
      const options = await harness.freshOptions();
      const replicas = await openReplicas(options, (database) => new SqlAlarmEpisodes(database));
      const opened = await Promise.all(replicas.flatMap((r, i) => [r.open(anEpisode(), at(1)), r.open(anEpisode({ startedAt: at(1 + i) }), at(1))]));
      expect(opened.filter(Boolean)).toHaveLength(1);
      expect(await replicas[0]!.listOpen()).toHaveLength(1);
    });
  });
}
