import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import {
  MESSAGE_STATUSES,
  type MessageRecord,
  type MessageStatus,
  parseConsoleUser,
  RezError,
  ValidationError,
} from '@rez/core';
import { CliUsageError } from '../errors';
import { forTerminal, oneLine } from '../terminal';
import { payloadOf, replayCommand, scheduleCommand } from './schedule-commands';
import type { RezTarget } from './target';

export const HELP = `Usage: npm run rez -- <command> [options]

Commands:
  send <type> [--message TEXT] [--title TEXT] [--priority 1-5] [--tags a,b]
              [--click URL] [--markdown] [--payload JSON]
                           queue a message (flags fill the notify payload; --payload
                           gives any type's payload as JSON, flags override its fields)
  schedule list            the built-in and user schedules, with their last and next runs
  schedule add <name> --expression EXPR [--tz ZONE] --type TYPE [--description TEXT]
              [--paused] [payload flags as for send]
                           a user schedule; EXPR in EventBridge Scheduler syntax:
                           "rate(15 minutes)", "cron(0 8 ? * MON-FRI *)" (6 fields,
                           day-of-week 1-7 = SUN-SAT), "at(2026-12-31T17:00:00)" (once);
                           --tz an IANA zone (default UTC)
  schedule edit <name> [any flag of add]
                           change a user schedule (payload flags edit its payload)
  schedule pause|resume|rm <name>
                           pause, resume or delete a user schedule
  schedule run <name>      fire a schedule now (e.g. hello-world)
  replay <id> [--payload JSON | payload flags]
                           send a message again as a new one of the same type, its
                           payload edited (the original's, with the flags on top)
  list [--status S] [--type T] [--limit N] [--cursor C]
                           recent messages, newest first (status: ${MESSAGE_STATUSES.join(', ')})
  failed                   the dead-letter queue and the failed messages with their reasons
  redrive --all | <transportId>
                           move dead letters back to the queue
  show <id>                one message: payload, status, history, children
  sessions end <user>      end every console session of <user> (an e-mail or GitHub
                           login as on REZ_ALLOWED_USERS), on every browser, at its
                           next request; they can sign in again while allowed

Options: --json prints machine-readable output.

Target: the local data dir (REZ_DATA_DIR, default ./.rez), the same SQLite
database \`npm start\` runs on; its poller delivers what you queue here. The
CLI talks to a RezTarget, so a deployed stack can be added as another target.
On AWS, end a user's sessions from the console's Sessions page instead.`;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/**
 * Runs one CLI command; returns the exit code (0 ok, 1 failed, 2 refused
 * input). Everything it prints goes through {@link forTerminal}, and each
 * field of a human-readable line through {@link oneLine}: stored text came
 * from outside and must not drive the terminal.
 */
export async function runCli(argv: string[], openTarget: () => RezTarget, terminal: CliIo): Promise<number> {
  const io: CliIo = {
    out: (line) => terminal.out(forTerminal(line)),
    err: (line) => terminal.err(forTerminal(line)),
  };
  let target: RezTarget | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        message: { type: 'string' },
        title: { type: 'string' },
        priority: { type: 'string' },
        tags: { type: 'string' },
        click: { type: 'string' },
        markdown: { type: 'boolean' },
        payload: { type: 'string' },
        expression: { type: 'string' },
        tz: { type: 'string' },
        description: { type: 'string' },
        paused: { type: 'boolean' },
        status: { type: 'string' },
        type: { type: 'string' },
        limit: { type: 'string' },
        cursor: { type: 'string' },
        all: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [command, ...rest] = positionals;
    if (values.help || !command || command === 'help') {
      io.out(HELP);
      return command || values.help ? 0 : 2;
    }
    const print = (human: string, data: unknown) =>
      io.out(values.json ? JSON.stringify(data, null, 2) : human);

    // Input is checked before the target (and its database) is opened: refused input touches nothing.
    switch (command) {
      case 'send': {
        const type = need(rest[0], '<type>', 'the message type, e.g. notify');
        const payload = payloadOf(values);
        target = openTarget();
        const message = await target.send({ type, payload, created_by: cliCreator() });
        print(`queued ${message.type} message ${message.id}`, message);
        return 0;
      }
      case 'schedule': {
        const done = await scheduleCommand(rest, values, () => (target = openTarget()), cliCreator());
        print(done.human, done.data);
        return 0;
      }
      case 'replay': {
        const done = await replayCommand(rest[0], values, () => (target = openTarget()), cliCreator());
        print(done.human, done.data);
        return 0;
      }
      case 'list': {
        const status = values.status;
        if (status !== undefined && !(MESSAGE_STATUSES as readonly string[]).includes(status))
          throw new CliUsageError(
            '--status',
            `must be one of ${MESSAGE_STATUSES.join(', ')}, got "${status}"`,
          );
        const limit = values.limit === undefined ? 25 : wholeNumber(values.limit, '--limit', 1, 100);
        target = openTarget();
        const page = await target.list({
          status: status as MessageStatus | undefined,
          type: values.type,
          limit,
          cursor: values.cursor ?? null,
        });
        const lines = page.items.map(summary);
        if (page.cursor) lines.push(`more: --cursor ${page.cursor}`);
        print(lines.join('\n') || '(no messages)', page);
        return 0;
      }
      case 'failed': {
        target = openTarget();
        const dead = await target.deadLetters(100);
        const failed = await target.list({ status: 'failed', limit: 100 });
        const lines = [`dead-letter queue: ${dead.length}`];
        for (const d of dead) {
          const id = safeId(d.body);
          lines.push(
            `  ${oneLine(d.transportId)}  message ${oneLine(id)}  received ${d.receiveCount}×  sent ${d.sentAt.toISOString()}`,
          );
        }
        lines.push(`failed messages: ${failed.items.length}`);
        for (const r of failed.items)
          lines.push(`  ${summary(r)}\n    reason: ${oneLine(r.error?.reason ?? '(none)')}`);
        if (dead.length) lines.push('retry: npm run rez -- redrive --all');
        print(lines.join('\n'), { deadLetters: dead, failed: failed.items });
        return 0;
      }
      case 'redrive': {
        if (!values.all && !rest[0])
          throw new CliUsageError('redrive', 'say --all or give a transport id (see `failed`)');
        target = openTarget();
        const { moved, more } = await target.redrive(values.all ? undefined : rest);
        print(`moved ${moved} dead letter(s) back to the queue${more ? '; more remain: run it again' : ''}`, {
          moved,
          more,
        });
        return 0;
      }
      case 'sessions': {
        const sub = need(rest[0], 'sessions <end>', 'say "end <user>"');
        if (sub !== 'end') throw new CliUsageError('sessions', `unknown subcommand "${sub}"; use end <user>`);
        const user = parseConsoleUser(
          need(rest[1], '<user>', 'an e-mail or GitHub login from REZ_ALLOWED_USERS'),
        );
        target = openTarget();
        const epoch = await target.endConsoleSessions(user);
        print(`ended every console session of ${oneLine(user)} (sessions epoch ${epoch})`, { user, epoch });
        return 0;
      }
      case 'show': {
        const id = need(rest[0], '<id>', 'the message id, see `list`');
        target = openTarget();
        const found = await target.get(id);
        if (!found) {
          io.err(`rez: no message ${oneLine(id)}`);
          return 1;
        }
        print(JSON.stringify(found, null, 2), found);
        return 0;
      }
      default:
        throw new CliUsageError('command', `unknown command "${command}"; run with --help`);
    }
  } catch (error) {
    const refused =
      error instanceof CliUsageError || error instanceof ValidationError || isParseArgsError(error);
    if (refused || (error instanceof RezError && error.permanent)) {
      io.err(`rez: ${oneLine((error as Error).message)}`);
      return 2;
    }
    io.err(`rez: failed: ${oneLine(error instanceof Error ? error.message : String(error))}`);
    return 1;
  } finally {
    target?.close();
  }
}

/**
 * `created_by` of what the CLI sends: `cli:<login name>`, or `cli:uid-<uid>`
 * where the user id has no passwd entry (common in containers, where
 * os.userInfo() throws), or `cli:unknown` without a uid either.
 */
export function cliCreator(
  info: () => { username: string } = userInfo,
  uid: number | null = process.getuid?.() ?? null,
): string {
  try {
    const { username } = info();
    if (username) return `cli:${username}`;
  } catch {
    // No passwd entry for this uid: name the uid instead.
  }
  return uid === null ? 'cli:unknown' : `cli:uid-${uid}`;
}

function wholeNumber(raw: string, field: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max)
    throw new CliUsageError(field, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}

function need(value: string | undefined, field: string, hint: string): string {
  if (!value) throw new CliUsageError(field, `is missing (${hint})`);
  return value;
}

/** One line per record, whatever its fields hold. */
function summary(r: MessageRecord): string {
  return `${oneLine(r.id)}  ${r.status.padEnd(10)} ${oneLine(r.type).padEnd(14)} ${oneLine(r.created_date)}  attempts ${r.attempts}  by ${oneLine(r.created_by)}`;
}

function safeId(body: string): string {
  try {
    return String(JSON.parse(body).id ?? '?');
  } catch {
    return '(not JSON)';
  }
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: string })?.code ?? '';
  return code.startsWith('ERR_PARSE_ARGS');
}
