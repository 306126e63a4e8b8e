import type { Clock } from '../clock';
import { PushActionRefusedError, ScheduleNotFoundError } from '../errors';
import type { IdGenerator } from '../ids';
import { type Message, parseEnvelope, type Stage } from '../message';
import type { MessagePublisher, MessageQueue, MessageRecord, MessageStore } from '../ports';
import type { HandlerRegistry } from '../registry';
import type { ScheduleDefinition } from '../schedules';
import { submitMessage } from '../submit';
import type { UserSchedules } from '../user-schedule-service';
import type { PushStateStore } from './state';
import { type PushActionClaims, pushActionCreator, verifyPushAction } from './tokens';

/** The type of the record an action leaves in its target's lineage; stored, never queued. */
export const PUSH_ACTION_RECORD_TYPE = 'push_action';

/** How long Snooze pauses a schedule when the link does not say. */
export const DEFAULT_SNOOZE_MS = 24 * 60 * 60_000;

export interface PushActionsDeps {
  /** The action key (32 bytes); null when push actions are off (REZ_PUSH_ACTIONS=false): every link is refused. */
  key: Buffer | null;
  stage: Stage;
  store: MessageStore;
  state: Pick<PushStateStore, 'useActionToken' | 'releaseActionToken' | 'acknowledgeAlarm'>;
  /** Retry redrives one dead letter. */
  queue: Pick<MessageQueue, 'redrive'>;
  /** Snooze and Run again of user schedules; absent on a console without them. */
  userSchedules?: UserSchedules;
  /** The built-in schedules: Run again fires them as their schedule does. */
  schedules: readonly ScheduleDefinition[];
  bus: MessagePublisher;
  registry: HandlerRegistry;
  clock: Clock;
  ids: IdGenerator;
}

/** What a checked link would do: what the confirm page shows before anyone presses. */
export interface PushActionPreview {
  claims: PushActionClaims;
  target: MessageRecord;
  /** "Acknowledge alarm rez-dev-dlq-not-empty", "Snooze schedule standup for 24h", … */
  description: string;
}

/** What an action did. */
export interface PushActionResult extends PushActionPreview {
  /** What happened, in words: shown to whoever pressed the button, and noted on the target's lifecycle. */
  summary: string;
  /** The record of it in the target's lineage (type push_action, created_by push-action:<action>). */
  recordId: string;
}

/** What an action needs, resolved from its target before anything changes. */
type Plan =
  | { action: 'acknowledge'; alarm: string }
  | { action: 'snooze'; schedule: string; forMs: number }
  | { action: 'run-again'; schedule: string; user: boolean; builtIn?: ScheduleDefinition }
  | { action: 'retry' };

/**
 * The other end of a push's action buttons: checks a signed link and does
 * what it names, once. Only four reversible actions exist — acknowledge an
 * alarm, snooze a schedule, run a schedule again, retry one dead letter —
 * never a delete, never a redrive of everything.
 *
 * {@link PushActions.preview} checks without acting (a browser's GET of the
 * link: link previews and prefetchers must never act); {@link PushActions.redeem}
 * acts. Each refusal is a {@link PushActionRefusedError} and changes nothing:
 * malformed, tampered (signed with another key), wrong stage, expired,
 * target gone, action not applicable (a Retry of a message not in the DLQ,
 * a Snooze of a schedule that no longer exists), used (the link's nonce is
 * recorded by one conditional write before the action runs, and given back
 * if the action then finds nothing to do or fails). What an action did is
 * noted on the target's lifecycle and recorded as a child in its lineage,
 * both `created_by: push-action:<action>`.
 *
 * @example
 * const actions = new PushActions({ key, stage, store, state, queue, schedules, bus, registry, clock, ids });
 * const { summary } = await actions.redeem(token);
 */
export class PushActions {
  readonly #deps: PushActionsDeps;

  constructor(deps: PushActionsDeps) {
    this.#deps = deps;
  }

  /** Whether links are answered at all. */
  get enabled(): boolean {
    return this.#deps.key !== null;
  }

  async preview(token: string): Promise<PushActionPreview> {
    const { claims, target, plan } = await this.#check(token);
    return { claims, target, description: describe(plan) };
  }

  async redeem(token: string): Promise<PushActionResult> {
    const { claims, target, plan } = await this.#check(token);
    const { state, clock } = this.#deps;
    if (!(await state.useActionToken(claims.nonce, new Date(claims.expiresAt))))
      throw new PushActionRefusedError('used', 'this button was already used; each works once');
    let done: { summary: string; extra: Record<string, unknown> };
    try {
      done = await this.#act(plan, claims, target);
    } catch (error) {
      // Nothing (known to be) done: the button may be pressed again.
      await state.releaseActionToken(claims.nonce).catch(() => undefined);
      throw error;
    }
    const by = pushActionCreator(claims.action);
    const now = clock.now();
    await this.#deps.store.note(target.id, { now, by, reason: `${done.summary} (from push ${claims.push})` });
    const recordId = await this.#record(claims, target, done.summary, done.extra);
    return { claims, target, description: describe(plan), summary: done.summary, recordId };
  }

  async #check(token: string): Promise<{ claims: PushActionClaims; target: MessageRecord; plan: Plan }> {
    const { key, stage, clock, store } = this.#deps;
    if (!key) throw new PushActionRefusedError('disabled', 'push actions are turned off in this deployment');
    const claims = verifyPushAction(token, { key, stage, now: clock.now() });
    const target = await store.get(claims.target);
    if (!target)
      throw new PushActionRefusedError(
        'missing-target',
        `message ${claims.target} is not in the store (any more)`,
      );
    return { claims, target, plan: await this.#plan(claims, target) };
  }

  async #plan(claims: PushActionClaims, target: MessageRecord): Promise<Plan> {
    const notFor = (what: string) =>
      new PushActionRefusedError(
        'not-applicable',
        `${claims.action} is for ${what}; ${target.id} is a ${target.type}`,
      );
    switch (claims.action) {
      case 'acknowledge': {
        const alarm = target.payload.alarm_name;
        if (target.type !== 'cloudwatch_alarm' || typeof alarm !== 'string') throw notFor('an alarm message');
        return { action: 'acknowledge', alarm };
      }
      case 'snooze':
      case 'run-again': {
        const schedule = scheduleOf(target);
        if (!schedule) throw notFor("a schedule's message");
        const user = (await this.#deps.userSchedules?.get(schedule)) ?? null;
        const builtIn = this.#deps.schedules.find((s) => s.name === schedule);
        if (claims.action === 'snooze') {
          if (!user)
            throw new PushActionRefusedError(
              'missing-target',
              builtIn
                ? `${schedule} is a built-in schedule: it cannot be snoozed (change it in the stack's config)`
                : `no user schedule named "${schedule}" (any more)`,
            );
          return { action: 'snooze', schedule, forMs: claims.forMs ?? DEFAULT_SNOOZE_MS };
        }
        if (!user && !builtIn)
          throw new PushActionRefusedError('missing-target', `no schedule named "${schedule}" (any more)`);
        return { action: 'run-again', schedule, user: user !== null, builtIn };
      }
      case 'retry':
        return { action: 'retry' };
    }
  }

  async #act(
    plan: Plan,
    claims: PushActionClaims,
    target: MessageRecord,
  ): Promise<{ summary: string; extra: Record<string, unknown> }> {
    const { clock, state, userSchedules, queue } = this.#deps;
    const by = pushActionCreator(claims.action);
    const now = clock.now();
    switch (plan.action) {
      case 'acknowledge':
        await state.acknowledgeAlarm({
          alarm: plan.alarm,
          message_id: target.id,
          push_id: claims.push,
          at: now.toISOString(),
          by,
        });
        return {
          summary: `alarm ${plan.alarm} acknowledged: no more pushes for it until it is OK and fires again`,
          extra: { alarm: plan.alarm },
        };
      case 'snooze': {
        const until = new Date(now.getTime() + plan.forMs);
        try {
          await (userSchedules as UserSchedules).snooze(plan.schedule, until, by);
        } catch (error) {
          if (error instanceof ScheduleNotFoundError)
            throw new PushActionRefusedError(
              'missing-target',
              `no user schedule named "${plan.schedule}" (any more)`,
            );
          throw error;
        }
        return {
          summary: `schedule ${plan.schedule} snoozed until ${until.toISOString()}; it runs on its timetable again after that`,
          extra: { schedule: plan.schedule, until: until.toISOString() },
        };
      }
      case 'run-again': {
        const sent = await this.#runAgain(plan, by);
        return {
          summary: `schedule ${plan.schedule} ran again: message ${sent.id}`,
          extra: { schedule: plan.schedule, message_id: sent.id },
        };
      }
      case 'retry': {
        const { moved } = await queue.redrive({ messageIds: [target.id] });
        if (moved === 0)
          throw new PushActionRefusedError(
            'not-applicable',
            `message ${target.id} is not in the dead-letter queue (retried already, or the queue has not moved it there yet: try again in a minute)`,
          );
        return { summary: `message ${target.id} moved back to the queue for another try`, extra: {} };
      }
    }
  }

  async #runAgain(plan: Extract<Plan, { action: 'run-again' }>, by: string): Promise<Message> {
    const { userSchedules } = this.#deps;
    if (plan.user && userSchedules) {
      const fired = await userSchedules.runNow(plan.schedule, by);
      if (fired.outcome === 'refused')
        throw new PushActionRefusedError(
          'not-applicable',
          `schedule ${plan.schedule} did not run: ${fired.reason}`,
        );
      return fired.message;
    }
    const definition = plan.builtIn as ScheduleDefinition;
    return submitMessage(
      {
        type: definition.type,
        payload: definition.payload,
        created_by: `scheduler:${definition.name}`,
        stage: this.#deps.stage,
      },
      this.#deps,
    );
  }

  /** The action's child record in the target's lineage: stored completed, never queued. */
  async #record(
    claims: PushActionClaims,
    target: MessageRecord,
    summary: string,
    extra: Record<string, unknown>,
  ): Promise<string> {
    const { store, clock, ids } = this.#deps;
    const now = clock.now();
    const record: Message = parseEnvelope({
      id: ids.next(now.getTime()),
      type: PUSH_ACTION_RECORD_TYPE,
      payload: { action: claims.action, target: target.id, push: claims.push, ...extra },
      metadata: {
        created_date: now.toISOString(),
        created_by: pushActionCreator(claims.action),
        stage: claims.stage,
      },
      correlation_id: target.correlation_id,
      causation_id: target.id,
      hop: target.hop,
    });
    await store.put(record, now);
    await store.complete(record.id, { now, result: { summary } });
    return record.id;
  }
}

/** The schedule a message was fired by (`created_by: scheduler:<name>`). */
function scheduleOf(record: MessageRecord): string | null {
  return record.created_by.startsWith('scheduler:') ? record.created_by.slice('scheduler:'.length) : null;
}

function describe(plan: Plan): string {
  switch (plan.action) {
    case 'acknowledge':
      return `Acknowledge alarm ${plan.alarm}`;
    case 'snooze':
      return `Snooze schedule ${plan.schedule} for ${Math.round(plan.forMs / 3_600_000)} h`;
    case 'run-again':
      return `Run schedule ${plan.schedule} again now`;
    case 'retry':
      return 'Retry this failed message (move it back from the dead-letter queue)';
  }
}
