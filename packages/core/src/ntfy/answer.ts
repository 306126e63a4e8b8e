import type { IncomingMessage } from 'node:http';

/**
 * The most of an ntfy answer the client holds at once: a whole publish (or
 * error) answer, or one line of a poll. ntfy's own answers are a few KiB at
 * most (a 4,096-byte message, JSON-escaped, plus its fields); anything longer
 * comes from something else — a proxy, a misconfigured server — and is not
 * read further.
 */
export const NTFY_MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Reads an answer whole, as UTF-8, if it is at most `limit` bytes. Answers
 * `null` as soon as it is longer — at once when its Content-Length says so —
 * and destroys the response, so nothing more is read or kept.
 */
export function readBody(response: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    if (Number(response.headers['content-length']) > limit) {
      response.destroy();
      return resolve(null);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      settle();
    };
    response.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        finish(() => resolve(null));
        response.destroy();
      } else chunks.push(chunk);
    });
    response.once('end', () => finish(() => resolve(Buffer.concat(chunks).toString('utf8'))));
    response.once('error', (error) => finish(() => reject(error)));
    response.once('close', () => finish(() => reject(new Error('the connection closed mid-answer'))));
  });
}

/**
 * Reads an answer of newline-separated lines (ntfy's poll: one JSON object a
 * line), handing each line to `onLine` as it completes and keeping no more
 * than the current line. `onLine` answers true to stop reading (found), or
 * throws to fail. Resolves `stopped`, `ended`, or `oversize` when a line
 * grew past `limit` bytes; the response is destroyed whenever reading stops
 * before its end.
 */
export function readLines(
  response: IncomingMessage,
  limit: number,
  onLine: (line: string) => boolean,
): Promise<'stopped' | 'ended' | 'oversize'> {
  return new Promise((resolve, reject) => {
    let pending: Buffer[] = [];
    let pendingSize = 0;
    let done = false;
    const stop = (settle: () => void) => {
      if (done) return;
      done = true;
      response.destroy();
      settle();
    };
    /** One completed line; true when reading must stop (a match, or `onLine` threw). */
    const line = (bytes: Buffer): boolean => {
      try {
        if (onLine(bytes.toString('utf8'))) {
          stop(() => resolve('stopped'));
          return true;
        }
      } catch (error) {
        stop(() => reject(error));
        return true;
      }
      return false;
    };
    response.on('data', (chunk: Buffer) => {
      let start = 0;
      for (let end = chunk.indexOf(0x0a); !done && end >= 0; end = chunk.indexOf(0x0a, start)) {
        const part = chunk.subarray(start, end);
        start = end + 1;
        if (pendingSize + part.length > limit) return stop(() => resolve('oversize'));
        const whole = pending.length === 0 ? part : Buffer.concat([...pending, part]);
        pending = [];
        pendingSize = 0;
        if (line(whole)) return;
      }
      if (done) return;
      const rest = chunk.subarray(start);
      pendingSize += rest.length;
      if (pendingSize > limit) return stop(() => resolve('oversize'));
      if (rest.length > 0) pending.push(rest);
    });
    response.once('end', () => {
      if (done) return;
      if (pendingSize > 0 && line(Buffer.concat(pending))) return;
      done = true;
      resolve('ended');
    });
    response.once('error', (error) => stop(() => reject(error)));
    response.once('close', () => stop(() => reject(new Error('the connection closed mid-answer'))));
  });
}
