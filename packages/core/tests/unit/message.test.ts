import {
  builtInRegistry,
  complete,
  createMessage,
  decodeMessage,
  defineHandler,
  MAX_MESSAGE_BYTES,
  MessageTooLargeError,
  manualClock,
  messageAttributes,
  messageSize,
  parseEnvelope,
  UnknownMessageTypeError,
  ulidGenerator,
  ValidationError,
} from '@rez/core';
import { sampleMessage } from '@rez/core/testing';
import * as v from 'valibot';

const deps = () => ({
  registry: builtInRegistry(),
  clock: manualClock('2026-05-01T08:30:00.000Z'),
  ids: ulidGenerator(),
});

/** Factory deps whose registry has `blob`, a type whose schema accepts any payload: only the size check can refuse it. */
const blobDeps = () => ({
  ...deps(),
  registry: builtInRegistry().register(
    defineHandler({
      type: 'blob',
      description: 'test',
      payloadSchema: v.record(v.string(), v.unknown()),
      handle: async () => complete(),
    }),
  ),
});

describe('Function: createMessage', () => {
  it('builds a root message with the seed metadata names, a ULID and a UTC created_date', () => {
    // Act
    const message = createMessage(
      { type: 'notify', payload: { message: 'hi', priority: 4 }, created_by: 'cli:ana', stage: 'dev' },
      deps(),
    );

    // Assess
    expect(message).toEqual({
      id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      type: 'notify',
      payload: { message: 'hi', priority: 4 },
      metadata: { created_date: '2026-05-01T08:30:00.000Z', created_by: 'cli:ana', stage: 'dev' },
      correlation_id: message.id,
      causation_id: null,
      hop: 0,
    });
  });

  it('makes ids that are unique and sort by creation time', () => {
    const d = deps();
    const ids = Array.from({ length: 500 }, (_, i) => {
      d.clock.advance(i % 3 === 0 ? 1 : 0);
      return createMessage({ type: 'hello_world', payload: {}, created_by: 't', stage: 'dev' }, d).id;
    });
    expect(new Set(ids).size).toBe(500);
    expect([...ids].sort()).toEqual(ids);
  });

  it('names every bad field with its path and reason', () => {
    const act = () =>
      createMessage(
        { type: 'notify', payload: { message: '', priority: 9, tags: 'x' }, created_by: 'a', stage: 'dev' },
        deps(),
      );
    expect(act).toThrow(ValidationError);
    const error = (() => {
      try {
        act();
      } catch (e) {
        return e as ValidationError;
      }
      throw new Error('expected a ValidationError');
    })();
    expect(error.issues.map((i) => i.path).sort()).toEqual([
      'payload.message',
      'payload.priority',
      'payload.tags',
    ]);
    expect(error.message).toMatch(/payload\.priority: must be 1 to 5/);
    expect(() =>
      createMessage({ type: 'notify', payload: { message: 'x' }, created_by: '', stage: 'dev' }, deps()),
    ).toThrow('invalid message: metadata.created_by: must not be empty');
  });

  it.each([
    ['a number out of range', { hop: 1001 }, 'hop: must be at most 1000'],
    ['a negative number', { hop: -1 }, 'hop: must be at least 0'],
    [
      'an empty string with no message of its own',
      { type: 'hello_world', payload: { greeting: '' } },
      'payload.greeting: must not be empty',
    ],
    [
      'a value outside an enum',
      { type: 'cloudwatch_alarm', payload: { alarm_name: 'a', new_state: 'FIRE', reason: 'r' } },
      'payload.new_state: must be one of "ALARM", "OK", "INSUFFICIENT_DATA"',
    ],
    [
      'a string over its limit',
      { type: 'cloudwatch_alarm', payload: { alarm_name: 'a'.repeat(256), new_state: 'OK', reason: 'r' } },
      'payload.alarm_name: must be at most 255 characters',
    ],
  ])('words %s in plain terms where the schema gives no message', (_what, change, expected) => {
    const message = {
      ...createMessage({ type: 'notify', payload: { message: 'x' }, created_by: 'a', stage: 'dev' }, deps()),
      ...change,
    };
    expect(() => builtInRegistry().parse(message)).toThrow(expected);
  });

  it('refuses an unknown stage and an unknown type, naming them', () => {
    expect(() =>
      createMessage(
        { type: 'notify', payload: { message: 'x' }, created_by: 'a', stage: 'qa' as never },
        deps(),
      ),
    ).toThrow(/stage.*dev, stage, prod/);
    expect(() =>
      createMessage({ type: 'launch_rocket', payload: {}, created_by: 'a', stage: 'dev' }, deps()),
    ).toThrow(UnknownMessageTypeError);
  });

  it('enforces the 256 KiB limit at creation', () => {
    // Prepare: a type whose schema accepts any payload, so only the size check can refuse it.
    const d = blobDeps();
    const input = (bytes: number) => ({
      type: 'blob',
      payload: { data: 'x'.repeat(bytes) },
      created_by: 'a',
      stage: 'dev' as const,
    });

    // Act + Assess
    const fits = createMessage(input(MAX_MESSAGE_BYTES - 400), d);
    expect(messageSize(fits)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(() => createMessage(input(MAX_MESSAGE_BYTES), d)).toThrow(MessageTooLargeError);
    expect(() => createMessage(input(MAX_MESSAGE_BYTES), d)).toThrow(/the limit is 262144 bytes/);
  });
});

describe('Function: messageSize', () => {
  it('counts what SNS and SQS count: the body, and each attribute’s name, data type and value', () => {
    // Prepare
    const message = sampleMessage({ type: 'hello_world', payload: {}, stage: 'prod' });
    const body = Buffer.byteLength(JSON.stringify(message));

    // Act / Assess
    expect(messageAttributes(message)).toEqual({ type: 'hello_world', stage: 'prod' });
    expect(messageSize(message)).toBe(
      body +
        ('type'.length + 'String'.length + 'hello_world'.length) +
        ('stage'.length + 'String'.length + 4),
    );
  });

  it('refuses a message whose body fits in 256 KiB but not with its attributes', () => {
    // Prepare: a body exactly at the limit, as SNS would refuse it once the attributes are added.
    const d = blobDeps();
    const probe = createMessage({ type: 'blob', payload: { data: '' }, created_by: 'a', stage: 'dev' }, d);
    const overhead = Buffer.byteLength(JSON.stringify(probe));
    const atLimit = {
      type: 'blob',
      payload: { data: 'x'.repeat(MAX_MESSAGE_BYTES - overhead) },
      created_by: 'a',
      stage: 'dev' as const,
    };

    // Act
    const thrown = (() => {
      try {
        return createMessage(atLimit, d);
      } catch (error) {
        return error;
      }
    })();

    // Assess
    expect(thrown).toBeInstanceOf(MessageTooLargeError);
    expect((thrown as MessageTooLargeError).bytes).toBe(
      MAX_MESSAGE_BYTES + 'typeStringblobstageStringdev'.length,
    );
  });
});

describe('Function: decodeMessage', () => {
  it('explains a body that is not JSON', () => {
    expect(() => decodeMessage('Test message.')).toThrow(
      'invalid message: body is not JSON ("Test message.")',
    );
  });

  it('explains a JSON body that is not an envelope', () => {
    expect(() => decodeMessage('{"hello":"world"}')).toThrow(
      /id: is required; type: is required; payload: is required; metadata: is required; .*; unknown field: hello/,
    );
  });

  it('refuses unknown envelope fields and a created_date with an offset', () => {
    const message = createMessage(
      { type: 'hello_world', payload: {}, created_by: 'a', stage: 'dev' },
      deps(),
    );
    expect(() => parseEnvelope({ ...message, extra: 1 })).toThrow('invalid message: unknown field: extra');
    expect(() =>
      parseEnvelope({
        ...message,
        metadata: { ...message.metadata, created_date: '2026-05-01T10:30:00+02:00' },
      }),
    ).toThrow(/metadata\.created_date: must be an RFC 3339 UTC timestamp/);
  });

  it('lists every unknown field once, at the object that holds them, constructor included', () => {
    const message = createMessage(
      { type: 'hello_world', payload: {}, created_by: 'a', stage: 'dev' },
      deps(),
    );
    expect(() =>
      parseEnvelope({ ...message, metadata: { ...message.metadata, constructor: {}, extra: 1 } }),
    ).toThrow('invalid message: metadata: unknown fields: constructor, extra');
    expect(() => parseEnvelope([message])).toThrow('invalid message: must be an object, got an array');
  });

  it('refuses a __proto__ key anywhere, which a schema would otherwise drop silently', () => {
    const message = createMessage(
      { type: 'notify', payload: { message: 'hi' }, created_by: 'a', stage: 'dev' },
      deps(),
    );
    const body = JSON.stringify(message).replace(
      '"message":"hi"',
      '"message":"hi","__proto__":{"polluted":true}',
    );
    expect(() => decodeMessage(body)).toThrow(
      'invalid message: payload.__proto__: is not allowed (a prototype key)',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('round-trips a created message', () => {
    const message = createMessage(
      { type: 'notify', payload: { message: 'hi' }, created_by: 'a', stage: 'prod' },
      deps(),
    );
    expect(decodeMessage(JSON.stringify(message))).toEqual(message);
  });
});

describe('Class: MessageTooLargeError', () => {
  it('says how big the message was and the limit', () => {
    const error = new MessageTooLargeError(300_000, MAX_MESSAGE_BYTES);
    expect(error.message).toBe(
      'message is 300000 bytes serialized; the limit is 262144 bytes (SNS/SQS 256 KiB)',
    );
    expect(error.code).toBe('MESSAGE_TOO_LARGE');
    expect(error.permanent).toBe(true);
  });
});

describe('Function: ulidGenerator', () => {
  it('hands out ordered, unique ULIDs within and across milliseconds', () => {
    const next = ulidGenerator().next;
    const start = Date.now();
    let previous = '';
    for (let i = 0; i < 5000; i++) {
      const id = next(start + Math.floor(i / 1000));
      expect(id > previous).toBe(true);
      previous = id;
    }
    expect(previous).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    // A clock that steps back keeps the order.
    expect(next(start - 10) > previous).toBe(true);
  });

  it('draws a fresh random part at every new millisecond, past the 256 its random pool holds', () => {
    const next = ulidGenerator().next;
    const start = Date.now();
    const parts = Array.from({ length: 1000 }, (_, i) => next(start + i).slice(10));
    expect(new Set(parts).size).toBe(1000);
  });
});
