import { createHash } from 'node:crypto';
import { decodeTime, monotonicFactory } from 'ulid';

/** Source of message ids: unique, URL-safe, time-sortable ULIDs. */
export interface IdGenerator {
  /** A new id for a message created at `time` (milliseconds since the epoch). */
  next(time: number): string;
}

/** Monotonic ULIDs: ids made in the same millisecond still sort in creation order. */
export function ulidGenerator(): IdGenerator {
  const factory = monotonicFactory();
  return { next: (time) => factory(time) };
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The id of the `index`-th message emitted by `parentId`. Deterministic, so a
 * redelivered parent re-emits children with the same ids and the children's
 * own idempotency makes the retry harmless. It keeps the parent's time
 * component, so children sort right after their parent.
 */
export function childId(parentId: string, index: number): string {
  const time = parentId.slice(0, 10);
  const digest = createHash('sha256').update(`${parentId}/${index}`).digest();
  let random = '';
  for (let i = 0; i < 16; i++) random += CROCKFORD[digest[i] & 31];
  return time + random;
}

/** Milliseconds since the epoch encoded in a ULID. */
export function idTime(id: string): number {
  return decodeTime(id);
}
