import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  type GetScheduleOutput,
  ResourceNotFoundException,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import type { SchedulerClientPort, SchedulerCommand } from '../../src';

const meta = { $metadata: {} };
const ROLE = /^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const NAME = /^[0-9a-zA-Z-_.]{1,64}$/;

/**
 * A fake of the Scheduler client port that holds schedules per group and
 * refuses what the real CreateSchedule/UpdateSchedule refuse (names, the
 * group, the target's ARN and role, the flexible time window, the retry
 * policy's ranges, the DLQ, an input that is not JSON or over 256 KB, a
 * StartDate more than 5 minutes past), plus what Rez requires of every user
 * schedule: an at() deletes itself after its run. Errors are the SDK's own
 * exception classes, so the adapter meets them as it would the service's.
 */
export class FakeSchedulerClient implements SchedulerClientPort {
  readonly groups = new Map<string, Map<string, CreateScheduleInput>>();
  readonly sent: string[] = [];

  constructor(
    groups: string[],
    readonly now: () => Date = () => new Date(),
  ) {
    for (const group of groups) this.groups.set(group, new Map());
  }

  async send(command: SchedulerCommand): Promise<unknown> {
    this.sent.push(command.constructor.name);
    const input = command.input as CreateScheduleInput;
    const group = this.#group(input.GroupName);
    if (!input.Name || !NAME.test(input.Name)) this.#invalid(`Name "${input.Name}"`);
    const name = input.Name as string;
    if (command instanceof CreateScheduleCommand || command instanceof UpdateScheduleCommand) {
      this.#check(input);
      const exists = group.has(name);
      if (command instanceof CreateScheduleCommand && exists)
        throw new ConflictException({
          ...meta,
          message: `Schedule ${name} already exists.`,
          Message: `Schedule ${name} already exists.`,
        });
      if (command instanceof UpdateScheduleCommand && !exists)
        throw new ResourceNotFoundException({
          ...meta,
          message: `Schedule ${name} does not exist.`,
          Message: `Schedule ${name} does not exist.`,
        });
      group.set(name, structuredClone(input));
      return {
        ScheduleArn: `arn:aws:scheduler:eu-central-1:123456789012:schedule/${input.GroupName}/${name}`,
      };
    }
    const found = group.get(name);
    if (!found)
      throw new ResourceNotFoundException({
        ...meta,
        message: `Schedule ${name} does not exist.`,
        Message: `Schedule ${name} does not exist.`,
      });
    if (command instanceof DeleteScheduleCommand) {
      group.delete(name);
      return {};
    }
    if (command instanceof GetScheduleCommand) {
      const output: GetScheduleOutput = { ...found, State: found.State ?? 'ENABLED' };
      return output;
    }
    throw new Error(`unexpected command ${(command as object).constructor.name}`);
  }

  #group(name: string | undefined): Map<string, CreateScheduleInput> {
    const group = name === undefined ? undefined : this.groups.get(name);
    if (!group)
      throw new ResourceNotFoundException({
        ...meta,
        message: `Schedule group ${name} does not exist.`,
        Message: `Schedule group ${name} does not exist.`,
      });
    return group;
  }

  #check(input: CreateScheduleInput): void {
    const target = input.Target;
    if (!input.ScheduleExpression || input.ScheduleExpression.length > 256)
      this.#invalid('ScheduleExpression');
    if ((input.Description?.length ?? 0) > 512) this.#invalid('Description');
    const window = input.FlexibleTimeWindow;
    if (!window || (window.Mode !== 'OFF' && window.Mode !== 'FLEXIBLE'))
      this.#invalid('FlexibleTimeWindow is required');
    if (window?.Mode === 'FLEXIBLE' && !window.MaximumWindowInMinutes)
      this.#invalid('MaximumWindowInMinutes is required when Mode is FLEXIBLE');
    if (!target?.Arn?.startsWith('arn:aws:lambda:')) this.#invalid('Target.Arn must be the scheduler Lambda');
    if (!target.RoleArn || !ROLE.test(target.RoleArn)) this.#invalid('Target.RoleArn');
    if (!target.DeadLetterConfig?.Arn?.startsWith('arn:aws:sqs:'))
      this.#invalid('Target.DeadLetterConfig.Arn');
    const retry = target.RetryPolicy;
    if (
      retry?.MaximumRetryAttempts !== undefined &&
      (retry.MaximumRetryAttempts < 0 || retry.MaximumRetryAttempts > 185)
    )
      this.#invalid('RetryPolicy.MaximumRetryAttempts');
    if (
      retry?.MaximumEventAgeInSeconds !== undefined &&
      (retry.MaximumEventAgeInSeconds < 60 || retry.MaximumEventAgeInSeconds > 86_400)
    )
      this.#invalid('RetryPolicy.MaximumEventAgeInSeconds');
    if (!target.Input || Buffer.byteLength(target.Input) > 256 * 1024) this.#invalid('Target.Input');
    try {
      JSON.parse(target.Input as string);
    } catch {
      this.#invalid('Target.Input must be well-formed JSON for a templated Lambda target');
    }
    if (input.StartDate && input.StartDate.getTime() < this.now().getTime() - 5 * 60_000)
      this.#invalid('The StartDate you specify cannot be earlier than 5 minutes ago.');
    const once = input.ScheduleExpression?.startsWith('at(');
    if (once && input.ActionAfterCompletion !== 'DELETE')
      throw new Error(
        'Rez: a one-time schedule must delete itself after completion (ActionAfterCompletion DELETE)',
      );
  }

  #invalid(message: string): never {
    throw new ValidationException({ ...meta, message, Message: message });
  }
}
