import { expect } from 'vitest';

/** What `promise` rejects with, failing the test unless it rejects with an instance of `type`. */
export async function rejectionOf<E extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  const error = await promise.then(
    () => expect.fail(`expected a ${type.name}, but it resolved`),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as E;
}
