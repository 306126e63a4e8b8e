/**
 * The messages table definition, shared with the DynamoDB store adapter
 * (its tests create the same table on dynalite). One import site, so the
 * components do not each pull in the adapter barrel.
 */
export { MESSAGES_TABLE } from '@rez/aws';
