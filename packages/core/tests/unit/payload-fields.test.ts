import {
  builtInRegistry,
  fieldsFromPayload,
  manualClock,
  payloadFromFields,
  replayMessage,
  StageMismatchError,
  ulidGenerator,
  ValidationError,
} from '@rez/core';
import { InMemoryMessageStore, RecordingPublisher, sampleMessage } from '@rez/core/testing';

describe('Function: payloadFromFields', () => {
  it('reads the notify fields: numbers, lists, a checkbox; empty optional fields are left out', () => {
    expect(
      payloadFromFields({
        message: 'Stand-up',
        title: '',
        priority: '4',
        tags: ' team, , daily ',
        click: '',
        markdown: 'on',
      }),
    ).toEqual({
      payload: { message: 'Stand-up', priority: 4, tags: ['team', 'daily'], markdown: true },
      errors: {},
    });
  });

  it('starts from a JSON payload and lets the fields override it', () => {
    expect(payloadFromFields({ payload: '{"message":"a","title":"t"}', message: 'b' }).payload).toEqual({
      message: 'b',
      title: 't',
    });
  });

  it.each([
    [{ priority: 'high' }, { priority: 'must be a whole number from 1 to 5, got "high"' }],
    [{ priority: '6' }, { priority: 'must be a whole number from 1 to 5, got "6"' }],
    [{ payload: '{nope' }, { payload: expect.stringMatching(/^is not valid JSON/) }],
    [{ payload: '[1]' }, { payload: 'must be a JSON object such as {"greeting": "hi"}' }],
  ])('refuses %j naming the field', (fields, errors) => {
    expect(payloadFromFields(fields)).toEqual({ payload: null, errors });
  });

  it('writes a payload back into the fields that read it', () => {
    const payload = { message: 'hi', title: 'T', priority: 2, tags: ['a', 'b'], markdown: true };
    const fields = fieldsFromPayload('notify', payload);
    expect(payloadFromFields(fields).payload).toEqual(payload);
    expect(fieldsFromPayload('hello_world', { greeting: 'hey' })).toEqual({
      payload: '{\n  "greeting": "hey"\n}',
    });
  });
});

describe('Function: replayMessage', () => {
  const deps = () => ({
    registry: builtInRegistry(),
    store: new InMemoryMessageStore(),
    bus: new RecordingPublisher(),
    clock: manualClock('2026-03-01T12:00:00.000Z'),
    ids: ulidGenerator(),
  });
  const original = {
    ...sampleMessage({ type: 'notify', payload: { message: 'typo' } }),
    stage: 'dev' as const,
    hop: 1,
  };

  it('sends a new message of the same type in the original’s chain, by the person replaying', async () => {
    const d = deps();
    const replay = await replayMessage(
      original,
      { payload: { message: 'fixed' }, created_by: 'web:ana', stage: 'dev' },
      d,
    );
    expect(replay).toMatchObject({
      type: 'notify',
      payload: { message: 'fixed' },
      causation_id: original.id,
      correlation_id: original.correlation_id,
      hop: 1,
      metadata: { created_by: 'web:ana', stage: 'dev' },
    });
    expect(replay.id).not.toBe(original.id);
    expect(d.bus.published).toEqual([replay]);
  });

  it('refuses a payload the type refuses, and another stage’s message, sending nothing', async () => {
    const d = deps();
    await expect(
      replayMessage(original, { payload: { message: '' }, created_by: 'web:ana', stage: 'dev' }, d),
    ).rejects.toThrow(ValidationError);
    await expect(
      replayMessage(original, { payload: { message: 'x' }, created_by: 'web:ana', stage: 'prod' }, d),
    ).rejects.toThrow(StageMismatchError);
    expect(d.bus.published).toEqual([]);
    expect(d.store.records.size).toBe(0);
  });
});
