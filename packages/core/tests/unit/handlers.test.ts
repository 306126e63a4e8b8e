import {
  builtInRegistry,
  cutText,
  deriveMessages,
  fitNotifyPayload,
  type Message,
  manualClock,
  NOTIFY_LIMITS,
  notifyPayloadSchema,
  type PushContext,
  parseWith,
} from '@rez/core';
import { RecordingNotifier, sampleMessage } from '@rez/core/testing';

const registry = builtInRegistry();
/** Push services with nothing held: a digest finds nothing to send. */
const noPushes: PushContext = {
  holds: false,
  links: async () => ({ actions: [] }),
  digestUrl: () => undefined,
  heldMessages: async () => [],
  digestDone: async () => {},
};
const clock = manualClock('2026-03-01T12:00:00.000Z');

/** Text of `length` UTF-16 units that ends with a surrogate pair, so a naive cut splits it. */
const pairAtEnd = (length: number) => `${'界'.repeat(length - 2)}😀`;

/**
 * Payloads at the limits of each built-in type's schema. A new handler
 * must add its own here (the first test checks the list is complete).
 */
const EXTREME_PAYLOADS: Record<string, Record<string, unknown>[]> = {
  cloudwatch_alarm: [244, 250, 251, 254, 255].flatMap((length) =>
    [undefined, 'OK', 'ALARM', 'INSUFFICIENT_DATA', 'x'.repeat(32)].flatMap((old_state) =>
      (['ALARM', 'OK', 'INSUFFICIENT_DATA'] as const).map((new_state) => ({
        alarm_name: length % 2 ? 'a'.repeat(length) : pairAtEnd(length),
        new_state,
        ...(old_state === undefined ? {} : { old_state }),
        reason: '理'.repeat(4096),
        region: 'r'.repeat(64),
        changed_at: 'c'.repeat(64),
        description: 'd'.repeat(1024),
      })),
    ),
  ),
  hello_world: [{}, { greeting: 'g'.repeat(200) }, { greeting: pairAtEnd(200) }],
  message_failed: [
    {
      message_id: `invalid-${'x'.repeat(128)}`,
      type: 't'.repeat(64),
      code: 'C'.repeat(64),
      reason: pairAtEnd(2000),
      attempts: 1000,
    },
    { message_id: '01JQ0000000000000000000000', type: 'notify', code: '', reason: '', attempts: 0 },
  ],
  push_digest: [{}],
  notify: [
    {
      message: pairAtEnd(NOTIFY_LIMITS.message),
      title: pairAtEnd(NOTIFY_LIMITS.title),
      tags: Array.from({ length: 10 }, () => 't'.repeat(64)),
      priority: 5,
    },
  ],
};

describe('Built-in handlers', () => {
  it('have extreme payloads listed for every type', () => {
    expect(Object.keys(EXTREME_PAYLOADS).sort()).toEqual(registry.types());
  });

  it.each(Object.entries(EXTREME_PAYLOADS))(
    '%s: at the limits of its payload schema, emits only children their own schemas accept',
    async (type, payloads) => {
      for (const payload of payloads) {
        // Prepare: the payload is valid for its own type.
        const parent: Message = sampleMessage({ type, payload: registry.parsePayload(type, payload) });

        // Act
        const outcome = await registry
          .get(type)
          .handle(parent, { notifier: new RecordingNotifier(), clock, stage: 'dev', push: noPushes });

        // Assess: deriveMessages validates every child against its type's schema and the size limit.
        if (outcome.kind === 'emitted') {
          expect(() =>
            deriveMessages(parent, outcome.messages, { registry, clock, hopLimit: 8 }),
          ).not.toThrow();
        }
      }
    },
  );
});

describe('Function: cutText', () => {
  it('keeps text within the limit as it is', () => {
    expect(cutText('a'.repeat(250), 250)).toBe('a'.repeat(250));
  });

  it('cuts at the limit with an ellipsis, never inside a surrogate pair', () => {
    const cut = cutText(pairAtEnd(251), 250);
    expect(cut.length).toBeLessThanOrEqual(250);
    expect(cut.endsWith('…')).toBe(true);
    expect(() => encodeURIComponent(cut)).not.toThrow(); // no lone surrogate
    const split = cutText(`${'a'.repeat(248)}😀😀`, 250);
    expect(split).toBe(`${'a'.repeat(248)}…`);
    expect(() => encodeURIComponent(split)).not.toThrow(); // no lone surrogate
  });
});

describe('Function: fitNotifyPayload', () => {
  it('makes any title, message and tags a payload the notify schema accepts', () => {
    const fitted = fitNotifyPayload({
      message: '',
      title: 'T'.repeat(1000),
      tags: ['', ...Array.from({ length: 12 }, () => 'x'.repeat(70))],
    });
    expect(() => parseWith(notifyPayloadSchema, fitted, 'notify payload')).not.toThrow();
    expect(fitted.message).toBe('(no text)');
    expect(fitted.tags).toHaveLength(10);
  });
});
