import * as v from 'valibot';
import { defineHandler, emit } from '../registry';
import { strictObject } from '../schema';
import { fitNotifyPayload } from './notify';

/** The scheduled job: emits a "hello world" push that carries this message's metadata. */
export const helloWorldHandler = defineHandler({
  type: 'hello_world',
  description: 'Say hello world through a notify message (the daily scheduled job)',
  payloadSchema: strictObject({
    greeting: v.optional(
      v.pipe(v.string(), v.minLength(1), v.maxLength(200, 'must be at most 200 characters')),
    ),
  }),
  async handle(message) {
    const { created_date, created_by, stage } = message.metadata;
    const greeting = message.payload.greeting ?? 'hello world';
    return emit({
      type: 'notify',
      payload: fitNotifyPayload({
        title: greeting,
        message: `${greeting}\ncreated_date: ${created_date}\ncreated_by: ${created_by}\nstage: ${stage}`,
        tags: ['wave'],
        priority: 3,
      }),
    });
  },
});
