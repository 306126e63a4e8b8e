import { StageMismatchError } from './errors';
import type { Message, Stage } from './message';
import type { MessageRecord } from './ports';
import { type SubmitDeps, submitMessage } from './submit';

/**
 * Sends a message again with an edited payload: a new message of the same
 * type, `created_by` the person replaying, `causation_id` the original's id
 * (same correlation and hop), so the original lists the replay among its
 * children and the replay names the original as its parent. The payload is
 * checked by the type's schema like any new message; nothing is stored or
 * published when it fails. The original must belong to `stage` (the worker
 * refuses another stage's messages).
 *
 * @example
 * const replay = await replayMessage(record, { payload: { message: 'fixed' }, created_by: 'web:ana', stage: 'dev' }, deps);
 */
export async function replayMessage(
  original: Pick<MessageRecord, 'id' | 'type' | 'stage' | 'correlation_id' | 'hop'>,
  input: { payload: Record<string, unknown>; created_by: string; stage: Stage },
  deps: SubmitDeps,
): Promise<Message> {
  if (original.stage !== input.stage) throw new StageMismatchError(original.stage, input.stage);
  return submitMessage(
    {
      type: original.type,
      payload: input.payload,
      created_by: input.created_by,
      stage: input.stage,
      replayOf: { id: original.id, correlation_id: original.correlation_id, hop: original.hop },
    },
    deps,
  );
}
