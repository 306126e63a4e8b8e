import type { ServerResponse } from 'node:http';

/**
 * Writes `bytes` of body to `res` — `unit` over and over, 64 KiB of "x" by
 * default — as fast as the client takes them, and stops when it hangs up.
 * `counted` is told each chunk's size as it is handed to the socket: what a
 * client could have read is at most that.
 */
export function flood(
  res: ServerResponse,
  bytes: number,
  counted: (size: number) => void,
  unit: Buffer = Buffer.alloc(64 * 1024, 'x'),
): void {
  let left = bytes;
  let open = true;
  res.on('close', () => {
    open = false;
  });
  const pump = () => {
    while (open && left > 0) {
      const chunk = left >= unit.length ? unit : unit.subarray(0, left);
      left -= chunk.length;
      counted(chunk.length);
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (open) res.end();
  };
  pump();
}
