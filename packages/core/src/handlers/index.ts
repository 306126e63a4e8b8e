import { HandlerRegistry } from '../registry';
import { cloudwatchAlarmHandler } from './cloudwatch-alarm';
import { helloWorldHandler } from './hello-world';
import { messageFailedHandler } from './message-failed';
import { notifyHandler } from './notify';
import { pushDigestHandler } from './push-digest';

export {
  ALARM_STATES,
  type AlarmState,
  type AlarmVerdict,
  alarmVerdict,
  cloudwatchAlarmHandler,
} from './cloudwatch-alarm';
export { helloWorldHandler } from './hello-world';
export { MESSAGE_FAILED_TYPE, messageFailedHandler } from './message-failed';
export {
  cutText,
  fitNotifyPayload,
  isUrgentPush,
  NOTIFY_LIMITS,
  type NotifyPayload,
  notifyHandler,
  notifyPayloadSchema,
} from './notify';
export {
  DIGEST_MAX_MESSAGES,
  digestNotification,
  PUSH_DIGEST_TYPE,
  pushDigestHandler,
} from './push-digest';

/**
 * The registry with every built-in type. Adding a type: write one file in
 * this folder with `defineHandler`, and list it here.
 */
export function builtInRegistry(): HandlerRegistry {
  return new HandlerRegistry([
    cloudwatchAlarmHandler,
    helloWorldHandler,
    messageFailedHandler,
    notifyHandler,
    pushDigestHandler,
  ]);
}
