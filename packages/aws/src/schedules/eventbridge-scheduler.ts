import {
  CreateScheduleCommand,
  type CreateScheduleInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  type GetScheduleOutput,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import {
  AdapterError,
  nextRunAfter,
  type PlatformSchedule,
  parseScheduleExpression,
  type Scheduler,
  scheduleInvocation,
  type UserSchedule,
} from '@rez/core';

/** The commands the adapter sends: the seam a test fake of the client implements. */
export type SchedulerCommand =
  | CreateScheduleCommand
  | UpdateScheduleCommand
  | DeleteScheduleCommand
  | GetScheduleCommand;

/** The part of SchedulerClient the adapter uses. */
export interface SchedulerClientPort {
  send(command: SchedulerCommand): Promise<unknown>;
}

/** Where and how user schedules fire: the same target, role, retry policy and DLQ as the built-in ones. */
export interface ScheduleTarget {
  /** The per-stage user schedule group (REZ_USER_SCHEDULE_GROUP). */
  groupName: string;
  /** The scheduler Lambda's ARN. */
  functionArn: string;
  /** The role EventBridge Scheduler invokes it as (the built-in schedules' role). */
  roleArn: string;
  /** The schedule DLQ's ARN. */
  deadLetterArn: string;
  /** Default 3, as the built-in schedules. */
  maximumRetryAttempts?: number;
  /** Default 3600, as the built-in schedules. */
  maximumEventAgeSeconds?: number;
}

/**
 * The core Scheduler port on EventBridge Scheduler: each user schedule is a
 * real schedule in the stage's user schedule group, invoking the scheduler
 * Lambda with `scheduleInvocation(schedule)` — the built-in schedules'
 * input shape plus the definition's revision — through the built-in
 * schedules' role, retry policy and DLQ. An `at()` schedule deletes itself
 * after its run (ActionAfterCompletion DELETE). A rate() gets a StartDate at
 * its next run counted from its anchor, so EventBridge runs it when the
 * console says it will (without one, EventBridge runs it at once).
 *
 * @example
 * const scheduler = new EventBridgeScheduler(new SchedulerClient({}), { groupName, functionArn, roleArn, deadLetterArn });
 */
export class EventBridgeScheduler implements Scheduler {
  readonly #client: SchedulerClientPort;
  readonly #target: ScheduleTarget;

  constructor(client: SchedulerClientPort, target: ScheduleTarget) {
    this.#client = client;
    this.#target = target;
  }

  async put(schedule: UserSchedule, now: Date): Promise<void> {
    const input = this.request(schedule, now);
    try {
      await this.#client.send(new UpdateScheduleCommand(input));
    } catch (error) {
      if (!isNamed(error, 'ResourceNotFoundException')) throw wrap('UpdateSchedule', error);
      // Not there yet (new), or gone (an at() that ran deletes itself): create it.
      await this.#client.send(new CreateScheduleCommand(input)).catch((cause: unknown) => {
        throw wrap('CreateSchedule', cause);
      });
    }
  }

  async remove(name: string): Promise<void> {
    try {
      await this.#client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.#target.groupName }));
    } catch (error) {
      if (!isNamed(error, 'ResourceNotFoundException')) throw wrap('DeleteSchedule', error);
    }
  }

  async describe(name: string): Promise<PlatformSchedule | null> {
    let found: GetScheduleOutput;
    try {
      found = (await this.#client.send(
        new GetScheduleCommand({ Name: name, GroupName: this.#target.groupName }),
      )) as GetScheduleOutput;
    } catch (error) {
      if (isNamed(error, 'ResourceNotFoundException')) return null;
      throw wrap('GetSchedule', error);
    }
    let revision: string | null = null;
    try {
      const input = JSON.parse(found.Target?.Input ?? '{}') as { revision?: unknown };
      revision = typeof input.revision === 'string' ? input.revision : null;
    } catch {
      // Not our input at all: no revision.
    }
    return {
      revision,
      enabled: found.State === 'ENABLED',
      expression: found.ScheduleExpression ?? '',
      timezone: found.ScheduleExpressionTimezone ?? 'UTC',
    };
  }

  /** The CreateSchedule/UpdateSchedule request for `schedule` (exposed for tests). */
  request(schedule: UserSchedule, now: Date): CreateScheduleInput {
    const kind = parseScheduleExpression(schedule.expression).kind;
    const target = this.#target;
    const startDate =
      kind === 'rate' ? (nextRunAfter(schedule, now, new Date(schedule.anchor)) ?? undefined) : undefined;
    return {
      Name: schedule.name,
      GroupName: target.groupName,
      ScheduleExpression: schedule.expression,
      ScheduleExpressionTimezone: schedule.timezone,
      ...(schedule.description ? { Description: schedule.description } : {}),
      State: schedule.enabled ? 'ENABLED' : 'DISABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ...(startDate ? { StartDate: startDate } : {}),
      ActionAfterCompletion: kind === 'at' ? 'DELETE' : 'NONE',
      Target: {
        Arn: target.functionArn,
        RoleArn: target.roleArn,
        Input: JSON.stringify(scheduleInvocation(schedule)),
        RetryPolicy: {
          MaximumRetryAttempts: target.maximumRetryAttempts ?? 3,
          MaximumEventAgeInSeconds: target.maximumEventAgeSeconds ?? 3600,
        },
        DeadLetterConfig: { Arn: target.deadLetterArn },
      },
    };
  }
}

function isNamed(error: unknown, name: string): boolean {
  return (error as { name?: string } | null)?.name === name;
}

function wrap(operation: string, error: unknown): unknown {
  return error instanceof AdapterError ? error : new AdapterError('EventBridge Scheduler', operation, error);
}
