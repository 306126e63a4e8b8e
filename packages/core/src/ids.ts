import { createHash } from 'node:crypto';
import { decodeTime, encodeTime, monotonicFactory } from 'ulid';

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
  return parentId.slice(0, 10) + seededRandomPart(`${parentId}/${index}`);
}

/**
 * A ULID for `time` whose random part is derived from `seed`: the same input
 * (say, an SNS MessageId redelivered) always gets the same id.
 */
export function seededId(time: number, seed: string): string {
  return encodeTime(time, 10) + seededRandomPart(seed);
}

function seededRandomPart(seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  let random = '';
  for (let i = 0; i < 16; i++) random += CROCKFORD[digest[i] & 31];
  return random;
}

/** Milliseconds since the epoch encoded in a ULID. */
export function idTime(id: string): number {
  return decodeTime(id);
}
