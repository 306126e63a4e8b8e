import { describeError } from './errors';
import { createMessage, type MessageFactoryDeps, type NewMessage } from './factory';
import type { Message } from './message';
import type { MessagePublisher, MessageStore } from './ports';

export interface SubmitDeps extends MessageFactoryDeps {
  store: MessageStore;
  bus: MessagePublisher;
}

/**
 * The one way a producer (scheduler, console, CLI) puts a new message into
 * the pipeline: create and validate it, record it as queued, publish it to
 * the topic. Invalid input throws a ValidationError before anything is stored
 * or published. When publishing fails the record is marked failed with the
 * reason and the error is rethrown, so the caller can retry.
 *
 * @example
 * const message = await submitMessage({ type: 'notify', payload: { message: 'hi' }, created_by: 'cli:ana', stage: 'dev' }, deps);
 */
export async function submitMessage(input: NewMessage, deps: SubmitDeps): Promise<Message> {
  const message = createMessage(input, deps);
  await deps.store.put(message, deps.clock.now());
  try {
    await deps.bus.publish(message);
  } catch (error) {
    await deps.store.claim(message, { now: deps.clock.now(), leaseMs: 0 });
    await deps.store.fail(message.id, { now: deps.clock.now(), error: describeError(error) });
    throw error;
  }
  return message;
}
