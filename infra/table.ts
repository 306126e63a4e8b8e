/**
 * The messages table definition, shared with the DynamoDB store adapter.
 * Imported from its source file rather than the `@rez/aws` barrel, which
 * would load every AWS SDK client into the Pulumi program.
 */
export { MESSAGES_TABLE } from '../packages/aws/src/store/table';
