/**
 * `schedule …` and `replay …`: the CLI side of the schedules people manage
 * and of sending a message again with an edited payload. Input is checked
 * before the target is opened where it can be; what only the type's schema
 * can judge is refused by the core service with the field named, and
 * nothing is saved.
 */
import { type PayloadFields, payloadFromFields, ValidationError } from '@rez/core';
import { CliUsageError } from '../errors';
import { oneLine } from '../terminal';
import type { RezTarget } from './target';

/** The parsed flags the schedule and replay commands read: the schedule's own and the payload's. */
export interface ScheduleFlags extends Omit<PayloadFields, 'markdown'> {
  expression?: string;
  tz?: string;
  type?: string;
  description?: string;
  paused?: boolean;
  markdown?: boolean;
}

/** Each schedule field as the CLI names it. */
const FLAG_OF: Record<string, string> = {
  name: '<name>',
  description: '--description',
  expression: '--expression',
  timezone: '--tz',
  type: '--type',
  payload: '--payload',
  enabled: '--paused',
};

/** The CLI's name for a field path of a schedule or payload (`payload.message` → `--message`). */
export function flagOf(path: string): string {
  const [head, field] = path.split('.');
  if (
    head === 'payload' &&
    field &&
    ['message', 'title', 'priority', 'tags', 'click', 'markdown'].includes(field)
  )
    return `--${field}`;
  return FLAG_OF[head] ?? path;
}

/** A ValidationError with each issue under the flag that gave it. */
export function asCliRefusal(error: unknown): unknown {
  if (!(error instanceof ValidationError)) return error;
  const detail = error.issues
    .map((issue) => `${issue.path ? flagOf(issue.path) : 'input'}: ${issue.message}`)
    .join('; ');
  return new CliUsageError('schedule', detail);
}

/** The payload the flags give, over `base` (a stored payload) when there is one. */
export function payloadOf(values: ScheduleFlags, base?: Record<string, unknown>): Record<string, unknown> {
  const { payload, errors } = payloadFromFields({
    ...values,
    payload: values.payload ?? (base ? JSON.stringify(base) : undefined),
  });
  if (!payload) {
    const [field, problem] = Object.entries(errors)[0];
    throw new CliUsageError(`--${field}`, problem);
  }
  return payload;
}

const hasPayloadFlags = (v: ScheduleFlags) =>
  [v.payload, v.message, v.title, v.priority, v.tags, v.click, v.markdown].some((x) => x !== undefined);

function need(value: string | undefined, field: string, hint: string): string {
  if (!value) throw new CliUsageError(field, `is missing (${hint})`);
  return value;
}

const time = (date: Date | string | null | undefined) =>
  date ? (typeof date === 'string' ? date : date.toISOString()) : 'never';

/**
 * Runs `schedule <sub> …`; returns what to print: a human line and the
 * data for --json.
 */
export async function scheduleCommand(
  args: string[],
  values: ScheduleFlags,
  openTarget: () => RezTarget,
  by: string,
): Promise<{ human: string; data: unknown }> {
  const [sub, name] = args;
  const usage = 'list, add <name>, edit <name>, pause|resume|rm|run <name>';
  need(sub, 'schedule', `say one of: ${usage}`);
  if (sub === 'list') {
    const target = openTarget();
    const builtIn = await target.schedules();
    const users = await target.userSchedules.list();
    const lines = [
      ...builtIn.map(
        (s) =>
          `${oneLine(s.name)}  (built-in)  ${oneLine(s.expression)} ${oneLine(s.timezone)}  ${oneLine(s.type)}  last ${time(s.lastRun)}  next ${time(s.nextRun)}`,
      ),
      ...users.map(({ schedule: s, next, broken, finished, lastMessage }) => {
        const state = s.pending
          ? `pending ${s.pending.action}`
          : broken
            ? 'BROKEN'
            : finished
              ? 'done'
              : s.enabled
                ? 'enabled'
                : 'paused';
        const last = s.last_run
          ? `${s.last_run.at} ${lastMessage ? `${lastMessage.status} (${lastMessage.id})` : s.last_run.outcome}${s.last_run.reason ? `: ${oneLine(s.last_run.reason)}` : ''}`
          : 'never';
        return `${oneLine(s.name)}  ${state}  ${oneLine(s.expression)} ${oneLine(s.timezone)}  ${oneLine(s.type)}  last ${last}  next ${time(next[0])}${broken ? `\n  broken: ${oneLine(broken)}` : ''}`;
      }),
    ];
    return {
      human: lines.join('\n') || '(no schedules)',
      data: {
        builtIn,
        user: users.map((u) => ({
          ...u.schedule,
          next: u.next,
          broken: u.broken,
          lastMessage: u.lastMessage,
        })),
      },
    };
  }
  const scheduleName = need(name, '<name>', `the schedule's name; see \`schedule list\``);
  switch (sub) {
    case 'add': {
      const input = {
        name: scheduleName,
        description: values.description ?? '',
        expression: need(
          values.expression,
          '--expression',
          'e.g. "cron(0 8 ? * MON-FRI *)" or "rate(1 hour)"',
        ),
        timezone: values.tz ?? 'UTC',
        type: need(values.type, '--type', 'the message type, e.g. notify'),
        payload: payloadOf(values),
        enabled: !values.paused,
      };
      const target = openTarget();
      const created = await target.userSchedules.create(input, by).catch((e: unknown) => {
        throw asCliRefusal(e);
      });
      const view = await target.userSchedules.get(created.name);
      return {
        human: `schedule ${created.name} saved (${created.enabled ? 'enabled' : 'paused'}); next run ${time(view?.next[0])}`,
        data: { ...created, next: view?.next ?? [] },
      };
    }
    case 'edit': {
      const target = openTarget();
      const current = (await target.userSchedules.get(scheduleName))?.schedule;
      if (!current) throw new CliUsageError('<name>', `no user schedule named "${scheduleName}"`);
      const type = values.type ?? current.type;
      const input = {
        name: current.name,
        description: values.description ?? current.description,
        expression: values.expression ?? current.expression,
        timezone: values.tz ?? current.timezone,
        type,
        payload: hasPayloadFlags(values)
          ? payloadOf(values, type === current.type ? current.payload : undefined)
          : current.payload,
        enabled: values.paused === undefined ? current.enabled : !values.paused,
      };
      const saved = await target.userSchedules
        .update(current.name, input, by, current.revision)
        .catch((e: unknown) => {
          throw asCliRefusal(e);
        });
      return { human: `schedule ${saved.name} saved`, data: saved };
    }
    case 'pause':
    case 'resume': {
      const target = openTarget();
      const saved = await target.userSchedules
        .setEnabled(scheduleName, sub === 'resume', by)
        .catch((e: unknown) => {
          throw asCliRefusal(e);
        });
      return {
        human: `schedule ${saved.name} ${sub === 'resume' ? 'resumed' : 'paused'}`,
        data: saved,
      };
    }
    case 'rm': {
      const target = openTarget();
      await target.userSchedules.delete(scheduleName, by);
      return { human: `schedule ${scheduleName} deleted`, data: { deleted: scheduleName } };
    }
    case 'run': {
      const target = openTarget();
      const builtIn = (await target.schedules()).some((s) => s.name === scheduleName);
      if (builtIn) {
        const result = await target.runSchedule(scheduleName);
        return {
          human: `schedule ${result.schedule} fired: queued ${result.type} message ${result.id}`,
          data: result,
        };
      }
      const fired = await target.userSchedules.runNow(scheduleName, by);
      if (fired.outcome === 'refused') throw new CliUsageError(scheduleName, `not run: ${fired.reason}`);
      return {
        human: `schedule ${scheduleName} fired: queued ${fired.message.type} message ${fired.message.id}`,
        data: { schedule: scheduleName, type: fired.message.type, id: fired.message.id },
      };
    }
    default:
      throw new CliUsageError('schedule', `unknown subcommand "${sub}"; use ${usage}`);
  }
}

/**
 * `replay <id> [--payload JSON | flags]`: sends the message again as a new
 * one of the same type, with the original payload edited by the flags.
 */
export async function replayCommand(
  id: string | undefined,
  values: ScheduleFlags,
  openTarget: () => RezTarget,
  by: string,
): Promise<{ human: string; data: unknown }> {
  const messageId = need(id, '<id>', 'the id of the message to send again, see `list` or `failed`');
  const target = openTarget();
  const found = await target.get(messageId);
  if (!found) throw new CliUsageError('<id>', `no message ${messageId}`);
  const { record } = found;
  const base = values.payload === undefined ? record.payload : undefined;
  const payload = payloadOf(values, base ?? undefined);
  const message = await target.replay(record, payload, by);
  return {
    human: `replayed ${record.id} as ${message.type} message ${message.id}`,
    data: message,
  };
}
