import {
  fireUserSchedule,
  type Message,
  type PushActionName,
  pushActionUrl,
  type Stage,
  signPushAction,
} from '@rez/core';
import { sampleMessage, sampleUserSchedule } from '@rez/core/testing';
import { build, loginCookie, TEST_ACTION_KEY, type TestConsole } from '../support/helper';

const HOUR = 3_600_000;
const PUSH_ID = '01JQ0000000000000000000PSH';

describe('Routes: /actions/<token> (push action buttons)', () => {
  let t: TestConsole;
  beforeEach(async () => {
    t = await build();
  });
  afterEach(async () => {
    await t.app.close();
  });

  /** Stores `message` as the worker would have (queued, claimed, completed). */
  async function stored(message: Message): Promise<Message> {
    await t.store.put(message, t.clock.now());
    await t.store.claim(message, { now: t.clock.now(), leaseMs: 1000 });
    await t.store.complete(message.id, { now: t.clock.now(), result: {} });
    return message;
  }

  const alarm = () =>
    stored(
      sampleMessage({
        type: 'cloudwatch_alarm',
        payload: { alarm_name: 'rez-dev-dlq-not-empty', new_state: 'ALARM', old_state: 'OK', reason: 'x' },
        metadata: { created_date: t.clock.now().toISOString(), created_by: 'sns:alarms', stage: 'dev' },
      }),
    );

  const token = (
    action: PushActionName,
    target: string,
    options: { stage?: Stage; key?: Buffer; ttlMs?: number; forMs?: number } = {},
  ) =>
    signPushAction(
      {
        action,
        target,
        stage: options.stage ?? 'dev',
        push: PUSH_ID,
        expiresAt: t.clock.now().getTime() + (options.ttlMs ?? 24 * HOUR),
        forMs: options.forMs,
      },
      options.key ?? TEST_ACTION_KEY,
    );

  /** What the phone sends for an ntfy `http` action: a POST with no body. */
  const press = (link: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: `/actions/${link}`, headers });

  describe('Acknowledge', () => {
    it('acknowledges the alarm once, without a session or CSRF token, and records it on the message and in its lineage', async () => {
      const message = await alarm();
      const link = token('acknowledge', message.id);
      const response = await press(link);
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('alarm rez-dev-dlq-not-empty acknowledged');
      await expect(t.pushState.alarmAcknowledgement('rez-dev-dlq-not-empty')).resolves.toEqual({
        alarm: 'rez-dev-dlq-not-empty',
        message_id: message.id,
        push_id: PUSH_ID,
        at: t.clock.now().toISOString(),
        by: 'push-action:acknowledge',
      });
      const record = await t.store.get(message.id);
      expect(record?.history.at(-1)).toMatchObject({
        status: 'completed',
        by: 'push-action:acknowledge',
        reason: expect.stringContaining(`from push ${PUSH_ID}`),
      });
      const [child] = await t.store.children(message.id);
      expect(child).toMatchObject({
        type: 'push_action',
        created_by: 'push-action:acknowledge',
        status: 'completed',
        causation_id: message.id,
        correlation_id: message.correlation_id,
        payload: { action: 'acknowledge', target: message.id, push: PUSH_ID },
      });

      // A second press of the same button changes nothing.
      const again = await press(link);
      expect(again.statusCode).toBe(409);
      expect(again.body).toContain('already used');
      expect(await t.store.children(message.id)).toHaveLength(1);
    });

    it('answers the phone whatever body and content type it sends (ntfy may send a JSON or a text body)', async () => {
      const message = await alarm();
      const json = await t.app.inject({
        method: 'POST',
        url: `/actions/${token('acknowledge', message.id)}`,
        headers: { 'content-type': 'application/json' },
        payload: '',
      });
      expect(json.statusCode).toBe(200);
      const text = await t.app.inject({
        method: 'POST',
        url: `/actions/${token('acknowledge', message.id)}`,
        headers: { 'content-type': 'text/plain' },
        payload: 'pressed',
      });
      expect(text.statusCode).toBe(200);
    });

    it('shows what a GET of the link would do and does nothing: a link preview never acts', async () => {
      const message = await alarm();
      const link = token('acknowledge', message.id);
      const page = await t.app.inject({ url: `/actions/${link}` });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Acknowledge alarm rez-dev-dlq-not-empty');
      expect(page.body).toContain(`<form method="post" action="/actions/${link}">`);
      await t.app.inject({ method: 'HEAD', url: `/actions/${link}` });
      await expect(t.pushState.alarmAcknowledgement('rez-dev-dlq-not-empty')).resolves.toBeNull();
      expect(t.pushState.tokens.size).toBe(0);
      // The page's own button is the one that acts.
      expect((await press(link, { 'content-type': 'application/x-www-form-urlencoded' })).statusCode).toBe(
        200,
      );
    });
  });

  describe('Refusals: each a 4xx that changes nothing', () => {
    it('refuses a link past its expiry (410)', async () => {
      const message = await alarm();
      const link = token('acknowledge', message.id, { ttlMs: HOUR });
      t.clock.advance(HOUR);
      const response = await press(link);
      expect(response.statusCode).toBe(410);
      expect(response.body).toContain('expired');
      await expect(t.pushState.alarmAcknowledgement('rez-dev-dlq-not-empty')).resolves.toBeNull();
    });

    it('refuses a link whose contents were changed, or that another key signed (403)', async () => {
      const message = await alarm();
      const [version, payload, signature] = token('acknowledge', message.id).split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      const forged = Buffer.from(JSON.stringify({ ...claims, e: claims.e + 365 * 24 * HOUR })).toString(
        'base64url',
      );
      for (const link of [
        `${version}.${forged}.${signature}`,
        token('acknowledge', message.id, { key: Buffer.alloc(32, 1) }),
      ]) {
        const response = await press(link);
        expect(response.statusCode).toBe(403);
      }
      await expect(t.pushState.alarmAcknowledgement('rez-dev-dlq-not-empty')).resolves.toBeNull();
      expect(t.pushState.tokens.size).toBe(0);
    });

    it('refuses a link signed for another stage (403)', async () => {
      const message = await alarm();
      const response = await press(token('acknowledge', message.id, { stage: 'prod' }));
      expect(response.statusCode).toBe(403);
      expect(response.body).toContain('stage');
      await expect(t.pushState.alarmAcknowledgement('rez-dev-dlq-not-empty')).resolves.toBeNull();
    });

    it('refuses a link whose target is not in the store (404), and one that is no link at all (400)', async () => {
      expect((await press(token('acknowledge', '01JQ0000000000000000000ZZZ'))).statusCode).toBe(404);
      expect((await press('not-a-token')).statusCode).toBe(400);
      expect((await press('<script>')).statusCode).toBe(400);
      expect(t.pushState.tokens.size).toBe(0);
    });

    it('refuses an action that does not fit its target (Acknowledge of a notify: 409)', async () => {
      const message = await stored(sampleMessage());
      expect((await press(token('acknowledge', message.id))).statusCode).toBe(409);
      expect(t.pushState.tokens.size).toBe(0);
    });

    it('refuses every link when push actions are off (404), signed or not', async () => {
      await t.app.close();
      t = await build({ push: { state: t.pushState, actionKey: null, budget: null } });
      const message = await alarm();
      const response = await press(token('acknowledge', message.id));
      expect(response.statusCode).toBe(404);
      expect(response.body).toContain('turned off');
      expect((await t.app.inject({ url: `/actions/${token('acknowledge', message.id)}` })).statusCode).toBe(
        404,
      );
      await expect(t.pushState.alarmAcknowledgement('rez-dev-dlq-not-empty')).resolves.toBeNull();
    });

    it('limits how often one client may try (429 past 20 a minute)', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 22; i++) statuses.push((await press('v1.x.y')).statusCode);
      expect(statuses.slice(0, 20).every((s) => s === 403)).toBe(true);
      expect(statuses.slice(20)).toEqual([429, 429]);
    });
  });

  describe('Snooze and Run again (schedule pushes)', () => {
    async function scheduled() {
      const schedule = sampleUserSchedule({
        expression: 'rate(1 hour)',
        anchor: t.clock.now().toISOString(),
      });
      await t.schedules.save(schedule, null);
      const message = await stored(
        sampleMessage({
          metadata: {
            created_date: t.clock.now().toISOString(),
            created_by: 'scheduler:standup',
            stage: 'dev',
          },
        }),
      );
      return { schedule, message };
    }

    it('snoozes the user schedule for the link’s time: its runs are refused until then, then it fires by itself', async () => {
      const { schedule, message } = await scheduled();
      const response = await press(token('snooze', message.id, { forMs: 3 * HOUR }));
      expect(response.statusCode).toBe(200);
      const snoozed = await t.schedules.get('standup');
      expect(snoozed?.revision).toBe(schedule.revision);
      expect(snoozed?.snoozed).toEqual({
        until: new Date(t.clock.now().getTime() + 3 * HOUR).toISOString(),
        at: t.clock.now().toISOString(),
        by: 'push-action:snooze',
      });
      const fire = () =>
        fireUserSchedule(
          'standup',
          { by: 'schedule', revision: schedule.revision },
          { ...t.deps, bus: t.publisher, schedules: t.schedules, stage: 'dev' },
        );
      t.clock.advance(HOUR);
      await expect(fire()).resolves.toMatchObject({
        outcome: 'refused',
        reason: expect.stringContaining('snoozed'),
      });
      t.clock.advance(2 * HOUR);
      await expect(fire()).resolves.toMatchObject({ outcome: 'sent' });
      // The console shows it; the schedule's own message notes it.
      expect((await t.store.get(message.id))?.history.at(-1)?.by).toBe('push-action:snooze');
    });

    it('runs the schedule again now, and names the message it sent', async () => {
      const { message } = await scheduled();
      const response = await press(token('run-again', message.id));
      expect(response.statusCode).toBe(200);
      expect(t.publisher.published).toHaveLength(1);
      const [sent] = t.publisher.published;
      expect(sent.metadata.created_by).toBe('scheduler:standup');
      expect(response.body).toContain(sent.id);
      const [child] = await t.store.children(message.id);
      expect(child.payload).toMatchObject({ action: 'run-again', message_id: sent.id });
      expect((await t.schedules.get('standup'))?.last_run?.by).toBe('push-action:run-again');
    });

    it('runs a built-in schedule again, but will not snooze one (it is code)', async () => {
      const message = await stored(
        sampleMessage({
          type: 'hello_world',
          payload: {},
          metadata: {
            created_date: t.clock.now().toISOString(),
            created_by: 'scheduler:hello-world',
            stage: 'dev',
          },
        }),
      );
      expect((await press(token('snooze', message.id))).statusCode).toBe(404);
      expect((await press(token('run-again', message.id))).statusCode).toBe(200);
      expect(t.publisher.published.map((m) => [m.type, m.metadata.created_by])).toEqual([
        ['hello_world', 'scheduler:hello-world'],
      ]);
    });

    it('refuses to snooze a schedule deleted since the push (404) and lets nothing through', async () => {
      const { message } = await scheduled();
      await t.schedules.delete('standup', (await t.schedules.get('standup'))?.revision ?? '');
      expect((await press(token('snooze', message.id))).statusCode).toBe(404);
      expect(t.pushState.tokens.size).toBe(0);
    });
  });

  describe('Retry (failure alert pushes)', () => {
    it('redrives that one dead letter; a message not in the DLQ is refused and its button stays usable', async () => {
      const failed = await stored(sampleMessage());
      const other = sampleMessage();
      const link = token('retry', failed.id);
      const early = await press(link);
      expect(early.statusCode).toBe(409);
      expect(early.body).toContain('not in the dead-letter queue');

      const letter = (m: Message, transportId: string) => ({
        transportId,
        body: JSON.stringify(m),
        receiveCount: 5,
        sentAt: t.clock.now(),
      });
      t.queue.dead.push(letter(other, 't-other'), letter(failed, 't-failed'));
      const response = await press(link);
      expect(response.statusCode).toBe(200);
      expect(t.queue.redriven.map((d) => d.transportId)).toEqual(['t-failed']);
      expect(t.queue.dead.map((d) => d.transportId)).toEqual(['t-other']);
      expect((await press(link)).statusCode).toBe(409);
    });
  });

  it('signs links the worker can put on a push: <public URL>/actions/<token>', () => {
    expect(pushActionUrl('https://rez.example.com/', 'v1.a.b')).toBe(
      'https://rez.example.com/actions/v1.a.b',
    );
  });

  it('shows today’s quota, what is held and the acknowledged alarms on the dashboard', async () => {
    const message = await alarm();
    await press(token('acknowledge', message.id));
    const held = sampleMessage();
    await t.store.claim(held, { now: t.clock.now(), leaseMs: 1000 });
    await t.store.hold(held.id, { now: t.clock.now(), reason: 'budget' });
    const page = await t.app.inject({ url: '/', headers: { cookie: loginCookie(t) } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/id="quota-today">0 \/ 250</);
    expect(page.body).toMatch(/id="held-count">1</);
    expect(page.body).toContain('rez-dev-dlq-not-empty');
    expect(page.body).toContain(PUSH_ID);
  });
});
