import type { DeadLetter, MessageQueue, QueueDepth, ReceivedMessage, RedriveResult } from '@rez/core';

/** A queue fake for console tests: only depth, the DLQ list and redrive do anything. */
export class MemoryQueue implements MessageQueue {
  readonly dead: DeadLetter[] = [];
  readonly redriven: DeadLetter[] = [];
  visible = 0;
  inFlight = 0;
  failDepth: Error | undefined;

  async receive(): Promise<ReceivedMessage[]> {
    return [];
  }
  async delete(): Promise<void> {}
  async changeVisibility(): Promise<void> {}

  async depth(): Promise<QueueDepth> {
    if (this.failDepth) throw this.failDepth;
    return { visible: this.visible, inFlight: this.inFlight, dead: this.dead.length };
  }

  async listDeadLetters({ limit }: { limit: number }): Promise<DeadLetter[]> {
    return this.dead.slice(0, limit);
  }

  /** Set to make the next redrive of all stop early, as SQS's bounded redrive does. */
  redriveLimit: number | undefined;

  async redrive(options?: { transportIds?: string[]; messageIds?: string[] }): Promise<RedriveResult> {
    const chosen = options?.transportIds !== undefined || options?.messageIds !== undefined;
    const messageId = (body: string) => {
      try {
        return (JSON.parse(body) as { id?: string }).id;
      } catch {
        return undefined;
      }
    };
    const selected = this.dead.filter(
      (d) =>
        !chosen ||
        options?.transportIds?.includes(d.transportId) ||
        options?.messageIds?.includes(messageId(d.body) ?? ''),
    );
    const moving = selected.slice(0, this.redriveLimit ?? selected.length);
    for (const letter of moving) {
      this.dead.splice(this.dead.indexOf(letter), 1);
      this.redriven.push(letter);
      this.visible += 1;
    }
    return { moved: moving.length, more: moving.length < selected.length };
  }
}
