import type { Clock } from './clock';
import { HopLimitExceededError } from './errors';
import { childId, type IdGenerator } from './ids';
import { assertMessageSize, type Message, messageSchema, type Stage, stageSchema } from './message';
import type { EmitRequest, HandlerRegistry } from './registry';
import { parseWith } from './schema';

/** Default number of emit steps a chain may take from its root. */
export const DEFAULT_HOP_LIMIT = 8;

export interface NewMessage {
  type: string;
  payload: Record<string, unknown>;
  /** Who made it: "scheduler:<schedule>", "web:<user>", "cli:<user>", … */
  created_by: string;
  stage: Stage;
  /**
   * The message this one is sent again for (a replay with an edited
   * payload): the new message joins its chain — same correlation and hop,
   * causation = its id — so lineage shows both ways. Absent for a root.
   */
  replayOf?: Pick<Message, 'id' | 'correlation_id' | 'hop'>;
}

export interface MessageFactoryDeps {
  registry: HandlerRegistry;
  clock: Clock;
  ids: IdGenerator;
}

/**
 * Creates a root message (or a replay, see `replayOf`): fresh id and
 * created_date, validated envelope and payload, and at most 256 KiB serialized.
 *
 * @example
 * const message = createMessage({ type: 'notify', payload: { message: 'hi' }, created_by: 'cli:ana', stage: 'dev' }, deps);
 */
export function createMessage(input: NewMessage, deps: MessageFactoryDeps): Message {
  const stage = parseWith(stageSchema, input.stage, 'stage');
  const now = deps.clock.now();
  const id = deps.ids.next(now.getTime());
  const message: Message = {
    id,
    type: input.type,
    payload: input.payload,
    metadata: { created_date: now.toISOString(), created_by: input.created_by, stage },
    correlation_id: input.replayOf?.correlation_id ?? id,
    causation_id: input.replayOf?.id ?? null,
    hop: input.replayOf?.hop ?? 0,
  };
  return finish(message, deps.registry);
}

/**
 * The messages a handler emitted, derived from their parent: same correlation
 * and stage, causation = parent, hop + 1, deterministic ids (see childId).
 * Throws {@link HopLimitExceededError} past `hopLimit`.
 */
export function deriveMessages(
  parent: Message,
  requests: readonly EmitRequest[],
  deps: { registry: HandlerRegistry; clock: Clock; hopLimit: number },
): Message[] {
  if (parent.hop + 1 > deps.hopLimit) throw new HopLimitExceededError(parent.hop, deps.hopLimit, parent.id);
  const created_date = deps.clock.now().toISOString();
  return requests.map((request, index) =>
    finish(
      {
        id: childId(parent.id, index),
        type: request.type,
        payload: request.payload,
        metadata: { created_date, created_by: `handler:${parent.type}`, stage: parent.metadata.stage },
        correlation_id: parent.correlation_id,
        causation_id: parent.id,
        hop: parent.hop + 1,
      },
      deps.registry,
    ),
  );
}

function finish(message: Message, registry: HandlerRegistry): Message {
  parseWith(messageSchema, message, 'message');
  const checked = { ...message, payload: registry.parsePayload(message.type, message.payload) };
  assertMessageSize(checked);
  return checked;
}
