import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { RollbackRecord } from '../../../src/ports/store.js';
import { aPrompt, aRollback, anAudit, at, someServices, T0, uniqueId } from './fixtures.js';
import { useStores, type StoreHarness } from './harness.js';

/** Round trips, updates and listings every `RollbackStore` must get right. */
export function describeRecordsContract(label: string, harness: StoreHarness): void {
  describe(`${label}: records`, () => {
    const { open } = useStores(harness);

    it('round-trips a rollback with its plan, meta and services', async () => {
      const { store } = await open();
      const rollback = aRollback('prod', ['api', 'web'], { dryRun: true, meta: { thread: { ts: '1.2' }, n: 3 } });
      expect(await store.createRollback(rollback, someServices(['web', 'api']), at(1))).toEqual({ ok: true });

      const expected: RollbackRecord = { ...rollback, meta: { thread: { ts: '1.2' }, n: 3 }, updatedAt: at(1) };
      expect(await store.getRollback(rollback.id)).toEqual(expected);
      expect(await store.getServices(rollback.id)).toEqual(
        someServices(['api', 'web']).map((s) => ({ ...s, rollbackId: rollback.id })),
      );
    });

    it('stores an empty meta when none is given, and answers null for unknown ids', async () => {
      const { store } = await open();
      const rollback = aRollback('prod', ['api'], { expiresAt: null, startedAt: at(1), finishedAt: at(2) });
      await store.createRollback(rollback, someServices(['api']), T0);
      expect(await store.getRollback(rollback.id)).toMatchObject({ meta: {}, expiresAt: null, startedAt: at(1), finishedAt: at(2) });
      expect(await store.getRollback('nope')).toBeNull();
      expect(await store.getServices('nope')).toEqual([]);
      expect(await store.getPrompt('nope', 'confirm')).toBeNull();
    });

    it('updates one service without touching the others', async () => {
      const { store } = await open();
      const rollback = aRollback('prod', ['api', 'web']);
      await store.createRollback(rollback, someServices(['api', 'web']), T0);
      await store.updateService(rollback.id, 'api', { state: 'watching', startedAt: at(1), toTaskDefinition: 'api:18' });
      await store.updateService(rollback.id, 'api', { state: 'failed', finishedAt: at(2), detail: 'circuit breaker tripped' });

      const [api, web] = await store.getServices(rollback.id);
      expect(api).toMatchObject({ state: 'failed', startedAt: at(1), finishedAt: at(2), toTaskDefinition: 'api:18', detail: 'circuit breaker tripped' });
      expect(web).toMatchObject({ state: 'pending', startedAt: null, detail: null });
      await expect(store.updateService(rollback.id, 'worker', { state: 'acting' })).rejects.toThrow(/no service worker/);
    });

    it('transitions with a patch, merging meta, and refuses from the wrong state', async () => {
      const { store } = await open();
      const rollback = aRollback('prod', ['api'], { meta: { thread: 't1' } });
      await store.createRollback(rollback, someServices(['api']), T0);

      expect(await store.transition(rollback.id, ['running'], 'succeeded', {}, at(1))).toBe(false);
      expect(await store.transition(rollback.id, [], 'running', {}, at(1))).toBe(false);
      expect(await store.transition('nope', ['awaiting_confirmation'], 'running', {}, at(1))).toBe(false);
      expect((await store.getRollback(rollback.id))?.state).toBe('awaiting_confirmation');

      const moved = await store.transition(
        rollback.id,
        ['awaiting_confirmation'],
        'running',
        { confirmedBy: 'U_OTHER', approvedBy: 'U_BOSS', expiresAt: null, startedAt: at(2), meta: { incident: 'P1' } },
        at(2),
      );
      expect(moved).toBe(true);
      expect(await store.getRollback(rollback.id)).toMatchObject({
        state: 'running',
        confirmedBy: 'U_OTHER',
        approvedBy: 'U_BOSS',
        expiresAt: null,
        startedAt: at(2),
        finishedAt: null,
        updatedAt: at(2),
        meta: { thread: 't1', incident: 'P1' },
      });
    });

    it('merges meta without changing state, and keeps concurrent merges of different keys', async () => {
      const { store } = await open();
      const rollback = aRollback('prod', ['api'], { meta: { thread: 't1' } });
      await store.createRollback(rollback, someServices(['api']), T0);
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.mergeMeta(rollback.id, { [`k${i}`]: i }, at(1))));
      await store.mergeMeta(rollback.id, { thread: 't2' }, at(2));

      const stored = await store.getRollback(rollback.id);
      expect(stored?.state).toBe('awaiting_confirmation');
      expect(stored?.updatedAt).toEqual(at(2));
      expect(stored?.meta).toEqual({ thread: 't2', ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i])) });
      await expect(store.mergeMeta('nope', { a: 1 }, at(1))).rejects.toThrow(/no rollback nope/);
    });

    it('saves, replaces, locates and answers prompts; only the first answer counts', async () => {
      const { store } = await open();
      const rollback = aRollback('prod', ['api']);
      await store.createRollback(rollback, someServices(['api']), T0);
      await store.savePrompt(aPrompt(rollback.id));
      await store.savePrompt(aPrompt(rollback.id, { channelId: 'C_OTHER', expiresAt: at(10) }));
      await store.savePrompt(aPrompt(rollback.id, { kind: 'approve', channelId: 'C_APPROVERS' }));
      await store.updatePromptMessage(rollback.id, 'confirm', '1700000000.000100', 'https://hooks.slack.test/r/1');
      expect(await store.getPrompt(rollback.id, 'confirm')).toEqual(
        aPrompt(rollback.id, { channelId: 'C_OTHER', expiresAt: at(10), messageTs: '1700000000.000100', responseUrl: 'https://hooks.slack.test/r/1' }),
      );

      const first = await store.answerPrompt(rollback.id, 'confirm', 'confirmed', 'U_OTHER', at(1));
      const second = await store.answerPrompt(rollback.id, 'confirm', 'cancelled', 'U_THIRD', at(2));
      expect(first).toEqual({ answered: true, prompt: expect.objectContaining({ answer: 'confirmed', answeredBy: 'U_OTHER', answeredAt: at(1) }) });
      expect(second).toEqual({ answered: false, prompt: first.prompt });
      expect((await store.getPrompt(rollback.id, 'approve'))?.answer).toBeNull();
      expect(await store.answerPrompt('nope', 'confirm', 'expired', 'system', at(1))).toEqual({ answered: false, prompt: null });
      await expect(store.updatePromptMessage('nope', 'approve', null, null)).rejects.toThrow(/no approve prompt/);
    });

    it('lists rollbacks in given states oldest first', async () => {
      const { store } = await open();
      const late = aRollback('prod', ['api'], { createdAt: at(3) });
      const early = aRollback('staging', ['api'], { createdAt: at(1), state: 'awaiting_approval' });
      const running = aRollback('prod', ['web'], { createdAt: at(2), state: 'running' });
      for (const r of [late, early, running]) await store.createRollback(r, someServices(r.plan.services.map((s) => s.service)), r.createdAt);

      const ids = async (...states: RollbackRecord['state'][]) => (await store.listRollbacksInState(states)).map((r) => r.id);
      expect(await ids('awaiting_confirmation', 'awaiting_approval')).toEqual([early.id, late.id]);
      expect(await ids('running')).toEqual([running.id]);
      expect(await ids()).toEqual([]);
    });

    it('lists recent rollbacks newest first, by environment and by service', async () => {
      const { store } = await open();
      const created: { id: string; env: string; services: string[] }[] = [];
      const specs: [string, string[]][] = [['prod', ['api']], ['prod', ['web', 'worker']], ['staging', ['api']], ['prod', ['api', 'web']]];
      for (const [i, [env, services]] of specs.entries()) {
        const r = aRollback(env, services, { createdAt: at(i), state: 'succeeded' });
        await store.createRollback(r, someServices(services), at(i));
        created.push({ id: r.id, env, services });
      }
      const [a, b, c, d] = created.map((r) => r.id);
      const ids = async (filter: { environment?: string; service?: string; limit: number }) =>
        (await store.listRecentRollbacks(filter)).map((r) => r.id);
      expect(await ids({ limit: 10 })).toEqual([d, c, b, a]);
      expect(await ids({ limit: 2 })).toEqual([d, c]);
      expect(await ids({ environment: 'prod', limit: 10 })).toEqual([d, b, a]);
      expect(await ids({ service: 'api', limit: 10 })).toEqual([d, c, a]);
      expect(await ids({ environment: 'prod', service: 'web', limit: 10 })).toEqual([d, b]);
      expect(await ids({ environment: 'dev', limit: 10 })).toEqual([]);
    });

    it('appends audit entries and lists them newest first, with JSON details intact', async () => {
      const { store } = await open();
      const rollbackId = uniqueId();
      const detail = { nested: { list: [1, 'two', null, true], emoji: 'rollback ↩️ “quoted”' }, big: 2 ** 40, none: null };
      await store.appendAudit(anAudit({ at: at(1), rollbackId, action: 'rollback.requested' }));
      await store.appendAudit(anAudit({ at: at(2), rollbackId, action: 'ecs.update-service.started', outcome: 'attempt', detail }));
      await store.appendAudit(anAudit({ at: at(2), rollbackId, action: 'ecs.update-service.finished', outcome: 'ok' }));
      await store.appendAudit(anAudit({ at: at(3), environment: 'staging', action: 'rollback.refused', outcome: 'refused' }));
      await store.appendAudit(anAudit({ at: at(4), service: 'web', actor: 'alarm:5xx', fromRevision: null, toRevision: null }));
      await store.appendAudit(anAudit({ at: at(5), environment: null, service: null, actor: 'system', action: 'bot.started' }));

      const actions = async (filter: Parameters<typeof store.listAudit>[0]) => (await store.listAudit(filter)).map((e) => e.action);
      expect(await actions({ rollbackId, limit: 10 })).toEqual(['ecs.update-service.finished', 'ecs.update-service.started', 'rollback.requested']);
      expect(await actions({ environment: 'prod', limit: 10 })).toHaveLength(4);
      expect(await actions({ environment: 'prod', service: 'web', limit: 10 })).toEqual(['rollback.requested']);
      expect(await actions({ environment: 'staging', limit: 10 })).toEqual(['rollback.refused']);
      expect(await actions({ limit: 2 })).toEqual(['bot.started', 'rollback.requested']);

      const [started] = (await store.listAudit({ rollbackId, limit: 10 })).filter((e) => e.outcome === 'attempt');
      expect(started).toEqual(anAudit({ at: at(2), rollbackId, action: 'ecs.update-service.started', outcome: 'attempt', detail }));
      const [alarm] = await store.listAudit({ service: 'web', limit: 1 });
      expect(alarm).toEqual(anAudit({ at: at(4), service: 'web', actor: 'alarm:5xx', fromRevision: null, toRevision: null }));
    });

    it('answers ping and closes idempotently', async () => {
      const { store } = await open();
      await expect(store.ping()).resolves.toBeUndefined();
      await store.close();
      await store.close();
      await expect(store.ping()).rejects.toThrow();
    });

    it('keeps its data across a reopen and does not migrate twice', async () => {
      const options = await harness.freshOptions();
      const first = await open(options);
      expect(first.logged).toEqual([expect.stringMatching(/^store migrations applied .*0001_initial/)]);
      const rollback = aRollback('prod', ['api']);
      await first.store.createRollback(rollback, someServices(['api']), T0);
      await first.store.appendAudit(anAudit({ rollbackId: rollback.id }));
      await first.store.close();

      const second = await open(options);
      expect(second.logged).toEqual([]);
      expect((await second.store.getRollback(rollback.id))?.plan).toEqual(rollback.plan);
      expect(await second.store.listAudit({ rollbackId: rollback.id, limit: 5 })).toHaveLength(1);
      expect(await second.store.listServiceLocks('prod')).toHaveLength(1);
    });

    it('still opens a database a newer build migrated further, with a warning', async () => {
      const options = await harness.freshOptions();
      const newer = await open(options);
      await sql`insert into store_migrations (name, applied_at) values ('9999_from_the_future', 0)`.execute(newer.db);
      await newer.store.close();

      const older = await open(options);
      expect(older.logged).toEqual([expect.stringMatching(/does not know .*9999_from_the_future/)]);
      await expect(older.store.ping()).resolves.toBeUndefined();
    });
  });
}
