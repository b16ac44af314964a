import { expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { BackgroundTasks } from '../../src/slack/background-tasks.js';

it('never starts a task in the listener’s own turn, so acks already due go out first', async () => {
  const tasks = new BackgroundTasks(createLogger('silent', []));
  const order: string[] = [];
  tasks.run(
    'work',
    async () => {
      order.push('task');
    },
    async () => undefined,
  );
  order.push('listener returns');
  await Promise.resolve();
  order.push('microtasks drained');
  await tasks.drain(1_000);
  expect(order).toEqual(['listener returns', 'microtasks drained', 'task']);
});

it('reports a failed task with a correlation id', async () => {
  const tasks = new BackgroundTasks(createLogger('silent', []));
  let reported = '';
  tasks.run(
    'failing',
    async () => {
      throw new Error('boom');
    },
    async (id) => {
      reported = id;
    },
  );
  await tasks.drain(1_000);
  expect(reported).toMatch(/^[0-9a-f]{8}$/);
});
