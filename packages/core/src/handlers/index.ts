import { HandlerRegistry } from '../registry';
import { cloudwatchAlarmHandler } from './cloudwatch-alarm';
import { helloWorldHandler } from './hello-world';
import { notifyHandler } from './notify';

export {
  ALARM_STATES,
  type AlarmState,
  type AlarmVerdict,
  alarmVerdict,
  cloudwatchAlarmHandler,
} from './cloudwatch-alarm';
export { helloWorldHandler } from './hello-world';
export {
  cutText,
  fitNotifyPayload,
  NOTIFY_LIMITS,
  type NotifyPayload,
  notifyHandler,
  notifyPayloadSchema,
} from './notify';

/**
 * The registry with every built-in type. Adding a type: write one file in
 * this folder with `defineHandler`, and list it here.
 */
export function builtInRegistry(): HandlerRegistry {
  return new HandlerRegistry([cloudwatchAlarmHandler, helloWorldHandler, notifyHandler]);
}
