import type { IncomingMessage } from 'node:http';

/**
 * The most of an ntfy answer the client holds at once: a whole publish (or
 * error) answer, or one line of a poll. ntfy's own answers are a few KiB at
 * most (a 4,096-byte message, JSON-escaped, plus its fields); anything longer
 * comes from something else — a proxy, a misconfigured server — and is not
 * read further.
 */
export const NTFY_MAX_ANSWER_BYTES = 64 * 1024;

// Callbacks rather than promises: this runs once per push, on the hot path
// (a promise and its closures per answer cost ≈ 10 % of the client's CPU).

/**
 * Reads an answer whole, as UTF-8, if it is at most `limit` bytes, and hands
 * it to `done`. Hands over `null` as soon as it is longer — at once when its
 * Content-Length says so — and destroys the response, so nothing more is
 * read or kept. A broken answer goes to `fail`.
 */
export function readBody(
  response: IncomingMessage,
  limit: number,
  done: (text: string | null) => void,
  fail: (error: Error) => void,
): void {
  if (Number(response.headers['content-length']) > limit) {
    response.destroy();
    done(null);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  response.on('data', (chunk: Buffer) => {
    if (size > limit) return;
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
    else {
      response.destroy();
      done(null);
    }
  });
  response.on('end', () => {
    if (size <= limit) done(Buffer.concat(chunks).toString('utf8'));
  });
  response.on('error', (error) => {
    if (size <= limit) fail(error);
  });
}

/**
 * Reads an answer of newline-separated lines (ntfy's poll: one JSON object a
 * line), handing each line to `onLine` as it completes and keeping no more
 * than the current line. `onLine` answers true to stop reading (found), or
 * throws to fail. `done` gets `stopped`, `ended`, or `oversize` when a line
 * grew past `limit` bytes; the response is destroyed whenever reading stops
 * before its end.
 */
export function readLines(
  response: IncomingMessage,
  limit: number,
  onLine: (line: string) => boolean,
  done: (outcome: 'stopped' | 'ended' | 'oversize') => void,
  fail: (error: unknown) => void,
): void {
  let pending: Buffer[] = [];
  let pendingSize = 0;
  let over = false;
  const stop = (settle: () => void) => {
    if (over) return;
    over = true;
    response.destroy();
    settle();
  };
  /** One completed line; true when reading must stop (a match, or `onLine` threw). */
  const line = (bytes: Buffer): boolean => {
    try {
      if (!onLine(bytes.toString('utf8'))) return false;
      stop(() => done('stopped'));
    } catch (error) {
      stop(() => fail(error));
    }
    return true;
  };
  response.on('data', (chunk: Buffer) => {
    let start = 0;
    for (let end = chunk.indexOf(0x0a); !over && end >= 0; end = chunk.indexOf(0x0a, start)) {
      const part = chunk.subarray(start, end);
      start = end + 1;
      if (pendingSize + part.length > limit) return stop(() => done('oversize'));
      const whole = pending.length === 0 ? part : Buffer.concat([...pending, part]);
      pending = [];
      pendingSize = 0;
      if (line(whole)) return;
    }
    if (over) return;
    const rest = chunk.subarray(start);
    pendingSize += rest.length;
    if (pendingSize > limit) return stop(() => done('oversize'));
    if (rest.length > 0) pending.push(rest);
  });
  response.on('end', () => {
    if (over) return;
    if (pendingSize > 0 && line(Buffer.concat(pending))) return;
    over = true;
    done('ended');
  });
  response.on('error', (error) => stop(() => fail(error)));
}
