import { describeError } from './errors';
import { createMessage, type MessageFactoryDeps, type NewMessage } from './factory';
import type { Message } from './message';
import type { MessagePublisher, MessageStore } from './ports';

export interface SubmitDeps extends MessageFactoryDeps {
  store: MessageStore;
  bus: MessagePublisher;
  /**
   * Told when the message went out but its queued record could not be
   * written (the worker records it when it takes it); absent, that is silent.
   */
  onError?: (what: string, error: unknown) => void;
}

/**
 * The one way a producer (scheduler, console, CLI, the worker's own alerts and
 * digests) puts a new message into the pipeline: create and validate it,
 * publish it to the topic, then record it as queued. Invalid input throws a
 * ValidationError before anything is stored or published.
 *
 * Publishing comes first because the queue is what delivers, and the store's
 * claim records a message it has not seen: a process that dies between the
 * two leaves a message in the queue that the worker records when it takes it,
 * never a `queued` record with nothing on its way (the other order would).
 * When publishing fails the record is written as failed with the reason and
 * the error is rethrown, so the caller can retry; a record that cannot be
 * written after the publish is not an error of the submit (the message is on
 * its way, and a retry would send it twice): `onError` is told.
 *
 * @example
 * const message = await submitMessage({ type: 'notify', payload: { message: 'hi' }, created_by: 'cli:ana', stage: 'dev' }, deps);
 */
export async function submitMessage(input: NewMessage, deps: SubmitDeps): Promise<Message> {
  const message = createMessage(input, deps);
  try {
    await deps.bus.publish(message);
  } catch (error) {
    await deps.store.put(message, deps.clock.now());
    await deps.store.claim(message, { now: deps.clock.now(), leaseMs: 0 });
    await deps.store.fail(message.id, { now: deps.clock.now(), error: describeError(error) });
    throw error;
  }
  try {
    // False when the worker took it first: its claim recorded it.
    await deps.store.put(message, deps.clock.now());
  } catch (error) {
    deps.onError?.(`the queued record of message ${message.id} (published; the worker records it)`, error);
  }
  return message;
}
