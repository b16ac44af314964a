import { describe, expect, it } from 'vitest';
import { aPrompt, aRollback, at, someServices, T0 } from './fixtures.js';
import { useStores, type StoreHarness } from './harness.js';

/** Service locks, compare-and-set and races: the store's safety guarantees. */
export function describeLocksContract(label: string, harness: StoreHarness): void {
  describe(`${label}: locks and races`, () => {
    const { open } = useStores(harness);

    it('locks each service for its rollback and names the holder to a second request', async () => {
      const { store } = await open();
      const first = aRollback('prod', ['api', 'web']);
      await store.createRollback(first, someServices(['api', 'web']), at(1));
      expect(await store.listServiceLocks('prod')).toEqual([
        { environment: 'prod', service: 'api', rollbackId: first.id, requestedBy: 'U_REQUESTER', since: at(1) },
        { environment: 'prod', service: 'web', rollbackId: first.id, requestedBy: 'U_REQUESTER', since: at(1) },
      ]);

      const second = aRollback('prod', ['api'], { requestedBy: 'U_SECOND' });
      expect(await store.createRollback(second, someServices(['api']), at(2))).toEqual({
        ok: false,
        heldBy: [{ environment: 'prod', service: 'api', rollbackId: first.id, requestedBy: 'U_REQUESTER', since: at(1) }],
      });
      expect(await store.getRollback(second.id)).toBeNull();
      expect(await store.getServices(second.id)).toEqual([]);

      const elsewhere = aRollback('staging', ['api']);
      expect(await store.createRollback(elsewhere, someServices(['api']), at(2))).toEqual({ ok: true });
      expect(await store.listServiceLocks('staging')).toEqual([expect.objectContaining({ rollbackId: elsewhere.id })]);
    });

    it('writes nothing when any of several services is held, and lists every holder', async () => {
      const { store } = await open();
      const web = aRollback('prod', ['web'], { requestedBy: 'U_WEB' });
      const worker = aRollback('prod', ['worker'], { requestedBy: 'U_WORKER', state: 'running' });
      await store.createRollback(web, someServices(['web']), at(1));
      await store.createRollback(worker, someServices(['worker']), at(2));

      const all = aRollback('prod', ['api', 'web', 'worker', 'cron']);
      const result = await store.createRollback(all, someServices(['api', 'web', 'worker', 'cron']), at(3));
      expect(result).toEqual({
        ok: false,
        heldBy: [
          { environment: 'prod', service: 'web', rollbackId: web.id, requestedBy: 'U_WEB', since: at(1) },
          { environment: 'prod', service: 'worker', rollbackId: worker.id, requestedBy: 'U_WORKER', since: at(2) },
        ],
      });
      expect(await store.getRollback(all.id)).toBeNull();
      expect((await store.listServiceLocks('prod')).map((l) => l.service)).toEqual(['web', 'worker']);
    });

    it("takes over an expired prompt's lock, but not one expiring now or later, nor a running one", async () => {
      const { store } = await open();
      const confirming = aRollback('prod', ['api'], { expiresAt: at(5) });
      const approving = aRollback('prod', ['web'], { state: 'awaiting_approval', expiresAt: at(5) });
      const running = aRollback('prod', ['worker'], { state: 'running', expiresAt: at(1) });
      for (const r of [confirming, approving, running]) await store.createRollback(r, someServices(r.plan.services.map((s) => s.service)), T0);

      const atExpiry = await store.createRollback(aRollback('prod', ['api', 'web']), someServices(['api', 'web']), at(5));
      expect(atExpiry.ok ? [] : atExpiry.heldBy.map((h) => h.rollbackId)).toEqual([confirming.id, approving.id]);
      const onRunning = await store.createRollback(aRollback('prod', ['worker']), someServices(['worker']), at(60));
      expect(onRunning.ok ? [] : onRunning.heldBy.map((h) => h.rollbackId)).toEqual([running.id]);

      const next = aRollback('prod', ['api', 'web'], { createdAt: at(6) });
      expect(await store.createRollback(next, someServices(['api', 'web']), at(6))).toEqual({ ok: true });
      expect((await store.listServiceLocks('prod')).map((l) => [l.service, l.rollbackId, l.since])).toEqual([
        ['api', next.id, at(6)],
        ['web', next.id, at(6)],
        ['worker', running.id, T0],
      ]);

      // The expired rollback must not go on to run on services it no longer holds, but can still be expired.
      expect(await store.transition(confirming.id, ['awaiting_confirmation'], 'running', {}, at(7))).toBe(false);
      expect(await store.transition(approving.id, ['awaiting_approval'], 'running', {}, at(7))).toBe(false);
      expect(await store.transition(confirming.id, ['awaiting_confirmation'], 'expired', {}, at(7))).toBe(true);
      expect((await store.listServiceLocks('prod')).map((l) => l.rollbackId)).toEqual([next.id, next.id, running.id]);
    });

    it("takes over a finished rollback's lock, released or left behind", async () => {
      const { store, db } = await open();
      const done = aRollback('prod', ['api'], { state: 'running' });
      await store.createRollback(done, someServices(['api']), T0);
      expect(await store.transition(done.id, ['awaiting_confirmation'], 'succeeded', {}, at(1))).toBe(false);
      expect(await store.transition(done.id, ['running'], 'succeeded', { finishedAt: at(1) }, at(1))).toBe(true);
      expect(await store.listServiceLocks('prod')).toEqual([]);
      const after = aRollback('prod', ['api']);
      expect(await store.createRollback(after, someServices(['api']), at(2))).toEqual({ ok: true });

      // A lock outliving its finished holder (state fixed by hand, say) does not block anyone.
      await db.updateTable('rollbacks').set({ state: 'cancelled' }).where('id', '=', after.id).execute();
      const third = aRollback('prod', ['api']);
      expect(await store.createRollback(third, someServices(['api']), at(3))).toEqual({ ok: true });
      expect(await store.listServiceLocks('prod')).toEqual([expect.objectContaining({ rollbackId: third.id, since: at(3) })]);
    });

    it('keeps locks through non-terminal transitions and releases only its own at the end', async () => {
      const { store } = await open();
      const rollback = aRollback('prod', ['api', 'web']);
      const other = aRollback('prod', ['worker']);
      await store.createRollback(rollback, someServices(['api', 'web']), T0);
      await store.createRollback(other, someServices(['worker']), T0);
      expect(await store.transition(rollback.id, ['awaiting_confirmation'], 'awaiting_approval', {}, at(1))).toBe(true);
      expect(await store.transition(rollback.id, ['awaiting_approval'], 'running', {}, at(2))).toBe(true);
      expect(await store.listServiceLocks('prod')).toHaveLength(3);
      expect(await store.transition(rollback.id, ['running'], 'failed', {}, at(3))).toBe(true);
      expect(await store.listServiceLocks('prod')).toEqual([expect.objectContaining({ service: 'worker', rollbackId: other.id })]);
    });

    it('lets exactly one of many concurrent requests for a service win', async () => {
      const { store } = await open();
      const contenders = Array.from({ length: 10 }, (_, i) => aRollback('prod', ['api', 'web'], { requestedBy: `U_${i}` }));
      const results = await Promise.all(contenders.map((r) => store.createRollback(r, someServices(['web', 'api']), T0)));

      const winners = contenders.filter((_, i) => results[i]?.ok);
      expect(winners).toHaveLength(1);
      const winner = winners[0]!;
      for (const result of results.filter((r) => !r.ok)) {
        expect(result).toEqual({ ok: false, heldBy: [expect.objectContaining({ service: 'api', rollbackId: winner.id }), expect.objectContaining({ service: 'web', rollbackId: winner.id })] });
      }
      expect((await store.listServiceLocks('prod')).map((l) => l.rollbackId)).toEqual([winner.id, winner.id]);
      expect(await store.listRollbacksInState(['awaiting_confirmation'])).toEqual([expect.objectContaining({ id: winner.id })]);
    });

    it('lets exactly one of many concurrent transitions from the same state win', async () => {
      const { store } = await open();
      const rollback = aRollback('prod', ['api']);
      await store.createRollback(rollback, someServices(['api']), T0);
      const toRunning = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.transition(rollback.id, ['awaiting_confirmation'], 'running', { confirmedBy: `U_${i}` }, at(1))),
      );
      expect(toRunning.filter(Boolean)).toHaveLength(1);

      const toFinished = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.transition(rollback.id, ['running'], i % 2 ? 'succeeded' : 'failed', {}, at(2))),
      );
      expect(toFinished.filter(Boolean)).toHaveLength(1);
      expect(await store.listServiceLocks('prod')).toEqual([]);
    });

    it('records exactly one of many concurrent answers to a prompt', async () => {
      const { store } = await open();
      const rollback = aRollback('prod', ['api']);
      await store.createRollback(rollback, someServices(['api']), T0);
      await store.savePrompt(aPrompt(rollback.id));
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.answerPrompt(rollback.id, 'confirm', i % 2 ? 'confirmed' : 'cancelled', `U_${i}`, at(1))),
      );
      const winners = answers.filter((a) => a.answered);
      expect(winners).toHaveLength(1);
      const stored = await store.getPrompt(rollback.id, 'confirm');
      expect(stored).toEqual(winners[0]?.prompt);
      expect(stored?.answeredBy).toMatch(/^U_\d$/);
    });

    it('lets either a takeover or the expired rollback confirming win a race, never both', async () => {
      const { store } = await open();
      for (let round = 0; round < 10; round++) {
        const service = `svc-${round}`;
        const stale = aRollback('prod', [service], { expiresAt: at(1) });
        await store.createRollback(stale, someServices([service]), T0);
        const [confirmed, created] = await Promise.all([
          store.transition(stale.id, ['awaiting_confirmation'], 'running', {}, at(2)),
          store.createRollback(aRollback('prod', [service]), someServices([service]), at(2)),
        ]);
        expect([confirmed, created.ok]).toContain(true);
        expect([confirmed, created.ok]).toContain(false);
      }
    });
  });
}
