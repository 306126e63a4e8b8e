import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { MESSAGES_TABLE } from '../table';

export interface StoreArgs {
  /** Continuous backups (35 days of point-in-time restore); prod only, since it is billed per GB. */
  pointInTimeRecovery: boolean;
  /** Refuse `pulumi destroy` / replacement of the table while on. */
  deletionProtection: boolean;
}

/**
 * The message store: one DynamoDB table from MESSAGES_TABLE (the same
 * definition the store adapter's tests create on dynalite), on-demand,
 * with TTL on `expires_at` and encryption at rest under the AWS-managed key.
 */
export class Store extends pulumi.ComponentResource {
  readonly table: aws.dynamodb.Table;

  constructor(name: string, args: StoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super('rez:store:Store', name, {}, opts);
    if (typeof args.pointInTimeRecovery !== 'boolean') {
      throw new Error(
        `Store: pointInTimeRecovery must be true or false, got ${String(args.pointInTimeRecovery)}`,
      );
    }
    this.table = new aws.dynamodb.Table(
      `${name}-messages`,
      {
        billingMode: 'PAY_PER_REQUEST',
        hashKey: MESSAGES_TABLE.hashKey,
        rangeKey: MESSAGES_TABLE.rangeKey,
        attributes: MESSAGES_TABLE.attributes.map((a) => ({ name: a.name, type: a.type })),
        globalSecondaryIndexes: MESSAGES_TABLE.globalSecondaryIndexes.map((index) => ({
          name: index.name,
          keySchemas: [
            { attributeName: index.hashKey, keyType: 'HASH' },
            { attributeName: index.rangeKey, keyType: 'RANGE' },
          ],
          projectionType: index.projectionType,
        })),
        ttl: { attributeName: MESSAGES_TABLE.ttlAttribute, enabled: true },
        pointInTimeRecovery: { enabled: args.pointInTimeRecovery },
        serverSideEncryption: { enabled: true },
        deletionProtectionEnabled: args.deletionProtection,
      },
      { parent: this },
    );
    this.registerOutputs({ tableName: this.table.name, tableArn: this.table.arn });
  }
}
