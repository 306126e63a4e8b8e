import * as z from 'zod/mini';
import { defineHandler, emit } from '../registry';

/** The scheduled job: emits a "hello world" push that carries this message's metadata. */
export const helloWorldHandler = defineHandler({
  type: 'hello_world',
  description: 'Say hello world through a notify message (the daily scheduled job)',
  payloadSchema: z.lazy(() =>
    z.strictObject({
      greeting: z.optional(
        z.string().check(z.minLength(1), z.maxLength(200, 'must be at most 200 characters')),
      ),
    }),
  ),
  async handle(message) {
    const { created_date, created_by, stage } = message.metadata;
    const greeting = message.payload.greeting ?? 'hello world';
    return emit({
      type: 'notify',
      payload: {
        title: greeting,
        message: `${greeting}\ncreated_date: ${created_date}\ncreated_by: ${created_by}\nstage: ${stage}`,
        tags: ['wave'],
        priority: 3,
      },
    });
  },
});
