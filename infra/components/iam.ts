import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { MESSAGES_TABLE } from '../table';

/** One IAM policy statement; every resource is named, never "*" (see {@link allowOnAnyResource}). */
export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: pulumi.Input<string>[];
  Condition?: Record<string, Record<string, pulumi.Input<string> | pulumi.Input<string>[]>>;
}

/**
 * Actions AWS offers no resource-level permissions for, so their only valid
 * Resource is "*". https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
 */
const ACTIONS_WITHOUT_RESOURCES: ReadonlySet<string> = new Set(['cloudwatch:GetMetricData']);

/** Allows `actions` on exactly `resources`; rejects wildcards so a broad grant cannot slip in. */
export function allow(sid: string, actions: string[], resources: pulumi.Input<string>[]): PolicyStatement {
  for (const action of actions) {
    if (action.includes('*')) throw new Error(`policy statement ${sid}: action "${action}" has a wildcard`);
  }
  for (const resource of resources) {
    if (resource === '*')
      throw new Error(`policy statement ${sid}: Resource "*" is not allowed; name the ARN`);
  }
  if (actions.length === 0 || resources.length === 0) {
    throw new Error(`policy statement ${sid}: needs at least one action and one resource`);
  }
  return { Sid: sid, Effect: 'Allow', Action: actions, Resource: resources };
}

/**
 * Allows passing exactly `roles` to `service` only (the iam:PassedToService
 * condition): the one kind of statement with a Condition in a function's
 * policy. infra/tests/iam-code.test.ts reads the condition as part of the grant.
 */
export function allowPassRole(
  sid: string,
  roles: pulumi.Input<string>[],
  service: `${string}.amazonaws.com`,
): PolicyStatement {
  return {
    ...allow(sid, ['iam:PassRole'], roles),
    Condition: { StringEquals: { 'iam:PassedToService': service } },
  };
}

/**
 * The one place Resource "*" is allowed: actions AWS evaluates only against
 * "*" (listed in ACTIONS_WITHOUT_RESOURCES). Anything else throws.
 */
export function allowOnAnyResource(sid: string, actions: string[]): PolicyStatement {
  for (const action of actions) {
    if (!ACTIONS_WITHOUT_RESOURCES.has(action)) {
      throw new Error(
        `policy statement ${sid}: "${action}" supports resource-level permissions; name the ARN`,
      );
    }
  }
  return { Sid: sid, Effect: 'Allow', Action: actions, Resource: ['*'] };
}

/** A policy document as the JSON string IAM wants. */
export function policyDocument(statements: PolicyStatement[]): pulumi.Output<string> {
  return pulumi.jsonStringify({ Version: '2012-10-17', Statement: statements });
}

/** Trust policy letting one AWS service assume the role, optionally only on behalf of `sourceAccount`. */
export function assumeRolePolicy(
  service: string,
  sourceAccount?: pulumi.Input<string>,
): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: service },
        Action: 'sts:AssumeRole',
        ...(sourceAccount === undefined
          ? {}
          : { Condition: { StringEquals: { 'aws:SourceAccount': sourceAccount } } }),
      },
    ],
  });
}

/**
 * Where a stage's roles live and what caps them: the IAM path the stage's
 * deploy role may create roles under, and the permissions boundary it must
 * attach to each (see infra/naming.ts and the bootstrap).
 */
export interface RoleScope {
  /** `/rez/<stage>/`. */
  path: string;
  /** ARN of the stage's permissions boundary policy. */
  permissionsBoundary: pulumi.Input<string>;
}

/** A role one AWS service may assume, under the stage's path and boundary. */
export function serviceRole(
  name: string,
  service: string,
  scope: RoleScope,
  parent: pulumi.Resource,
  sourceAccount?: pulumi.Input<string>,
): aws.iam.Role {
  return new aws.iam.Role(
    name,
    {
      path: scope.path,
      permissionsBoundary: scope.permissionsBoundary,
      assumeRolePolicy: assumeRolePolicy(service, sourceAccount),
    },
    { parent },
  );
}

/** The table and each of its indexes by name (Query on an index needs the index ARN). */
export function tableResources(tableArn: pulumi.Input<string>): pulumi.Input<string>[] {
  return [
    tableArn,
    ...MESSAGES_TABLE.globalSecondaryIndexes.map(
      (index) => pulumi.interpolate`${tableArn}/index/${index.name}`,
    ),
  ];
}

/**
 * What the message store adapter (DynamoMessageStore, whole in every Lambda
 * bundle) does: get, put and update items of the table, and Query the table
 * (counts) and its indexes (lists); never a scan, a batch or table admin.
 * infra/tests/iam-code.test.ts checks this against the bundles.
 */
export function messageStoreStatements(tableArn: pulumi.Input<string>): PolicyStatement[] {
  return [
    allow('MessageStoreItems', DYNAMODB_ITEMS, [tableArn]),
    allow('MessageStoreQueries', DYNAMODB_QUERY, tableResources(tableArn)),
  ];
}

/** Log streams of one log group (the group itself is created by Pulumi, not by the function). */
export function logStreams(logGroupArn: pulumi.Input<string>): pulumi.Input<string>[] {
  return [pulumi.interpolate`${logGroupArn}:*`];
}

export const LOG_WRITE = ['logs:CreateLogStream', 'logs:PutLogEvents'];
export const SNS_PUBLISH = ['sns:Publish'];
/** What the SQS event source mapping does with the function's role: poll, delete, read attributes. */
export const SQS_EVENT_SOURCE = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];
/** The message store's item calls (see messageStoreStatements). */
export const DYNAMODB_ITEMS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
export const DYNAMODB_QUERY = ['dynamodb:Query'];
/** Reading one SSM parameter; the AWS-managed aws/ssm key lets any principal allowed this decrypt it. */
export const SSM_READ = ['ssm:GetParameter'];
