/**
 * The Rez Agent Pulumi program: read the stack's config, compose the
 * components, export what operators need (`pulumi stack output`).
 */
import { loadConfig } from './config';
import { createRez } from './program';

const outputs = createRez(loadConfig());

export const consoleUrl = outputs.consoleUrl;
export const callbackUrl = outputs.callbackUrl;
export const distributionDomainName = outputs.distributionDomainName;
export const topicArn = outputs.topicArn;
export const alarmTopicArn = outputs.alarmTopicArn;
export const queueUrl = outputs.queueUrl;
export const deadLetterQueueUrl = outputs.deadLetterQueueUrl;
export const tableName = outputs.tableName;
export const ntfyTopicUrl = outputs.ntfyTopicUrl;
export const scheduleNames = outputs.scheduleNames;
