import { DigestSupersededError, PermanentFailure } from '../errors';
import type { MessageRecord, Notification } from '../ports';
import { complete, defineHandler } from '../registry';
import { strictObject } from '../schema';
import { cutText } from './notify';

/** The type of the digest of held pushes (see PushServices: the worker makes these). */
export const PUSH_DIGEST_TYPE = 'push_digest';

/** The most held messages one digest names; more wait for the next one. */
export const DIGEST_MAX_MESSAGES = 500;
/** How many held pushes a digest quotes by title. */
const QUOTED = 5;

/** What a held message counts as in a digest: the type that made its push (`hello_world`), else its own (`notify`). */
function origin(record: MessageRecord): string {
  return record.created_by.startsWith('handler:') ? record.created_by.slice('handler:'.length) : record.type;
}

function firstLine(record: MessageRecord): string {
  const { title, message } = record.payload as { title?: unknown; message?: unknown };
  const text = typeof title === 'string' && title ? title : typeof message === 'string' ? message : record.id;
  return cutText(text.split('\n')[0], 80);
}

/**
 * The one push that stands for held ones: "14 messages since 09:12 UTC: 9
 * notify, 5 hello_world", the first few titles, and a button to the
 * console's history of exactly these (`url`).
 *
 * @example
 * digestNotification(held, new Date(), 'https://rez.example.com/messages?digest=01J…')
 */
export function digestNotification(held: readonly MessageRecord[], now: Date, url?: string): Notification {
  const counts = new Map<string, number>();
  for (const record of held) counts.set(origin(record), (counts.get(origin(record)) ?? 0) + 1);
  const byType = [...counts]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .map(([type, n]) => `${n} ${type}`)
    .join(', ');
  // RFC 3339 UTC timestamps sort as text.
  const since = held.map((r) => r.created_date).sort()[0];
  const sameDay = since.slice(0, 10) === now.toISOString().slice(0, 10);
  const when = `${sameDay ? '' : `${since.slice(0, 10)} `}${since.slice(11, 16)} UTC`;
  const n = held.length;
  const lines = [`${n} message${n === 1 ? '' : 's'} since ${when}: ${byType}`];
  for (const record of held.slice(0, QUOTED)) lines.push(`• ${firstLine(record)}`);
  if (n > QUOTED) lines.push(`… and ${n - QUOTED} more`);
  return {
    title: `${n} held push${n === 1 ? '' : 'es'}`,
    message: lines.join('\n'),
    priority: 3,
    tags: ['inbox_tray'],
    ...(url ? { click: url, actions: [{ action: 'view' as const, label: 'Open', url }] } : {}),
  };
}

/**
 * Sends one push for the pushes held while the ntfy budget was short and
 * completes each of them with the digest's ntfy id. The budget paces it
 * like any normal push (a refusal brings the message back when the budget
 * allows: the digest's own queue delay is its timer), but it is never held,
 * and only the digest holding the budget's digest lease sends: a digest
 * another has taken over from completes without a push (`superseded`).
 *
 * A retry after an interruption looks for its own push in ntfy's cache
 * first, as notify does; should new pushes have been held in between, its
 * text differs and the push is sent again naming them all (a message may
 * then be named twice, never lost).
 */
export const pushDigestHandler = defineHandler({
  type: PUSH_DIGEST_TYPE,
  description: 'Send one push for the pushes held while the ntfy budget was short (made by the worker)',
  internal: true,
  payloadSchema: strictObject({}),
  async handle(message, { notifier, push, recovery, clock }) {
    if (!push) throw new PermanentFailure('a push digest is sent by a worker with push services');
    const held = await push.heldMessages(DIGEST_MAX_MESSAGES);
    if (held.length === 0) {
      await push.digestDone(message.id, [], null);
      return complete({ digested: 0 });
    }
    const notification = digestNotification(held, clock.now(), push.digestUrl(message.id));
    try {
      let delivery = null;
      if (recovery && notifier.findRecent) {
        delivery = await notifier.findRecent(notification, recovery.since);
        if (!delivery) recovery.settled();
      }
      delivery ??= await notifier.publish(notification, { digestId: message.id });
      await push.digestDone(message.id, held, delivery);
      return complete({
        ntfy_id: delivery.id,
        truncated: delivery.truncated,
        digested: held.length,
        messages: held.map((r) => r.id),
      });
    } catch (error) {
      if (error instanceof DigestSupersededError) return complete({ digested: 0, superseded: error.message });
      throw error;
    }
  },
});
