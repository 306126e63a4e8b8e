import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import {
  allow,
  LOG_WRITE,
  logStreams,
  type PolicyStatement,
  policyDocument,
  type RoleScope,
  serviceRole,
} from './iam';

/** Arguments for {@link bundledFunction}: one Lambda shipped from a built bundle folder. */
export interface BundledFunctionArgs {
  /** Function name, e.g. `rez-dev-worker`; also names its log group `/aws/lambda/<name>`. */
  functionName: string;
  /** Folder shipped as the code archive (packages/<name>/dist); its index.js exports `handler`. */
  bundleDir: string;
  timeoutSeconds: number;
  memoryMb: number;
  logRetentionDays: number;
  /** Plain settings only: secrets go to SSM and the function gets their parameter names (see Secrets). */
  environment: Record<string, pulumi.Input<string>>;
  /** The stage's role path and permissions boundary. */
  roleScope: RoleScope;
  /** What the function may do besides writing its own logs. */
  statements: (logGroupArn: pulumi.Output<string>) => PolicyStatement[];
}

/** What @rez/aws's awsPipelineFromEnv reads in every function: the stage, the topic, the table, the retention. */
export interface PipelineEnvironmentArgs {
  stage: string;
  topicArn: pulumi.Input<string>;
  tableName: pulumi.Input<string>;
  /** Days a message stays in the store (its TTL). */
  retentionDays: number;
}

/** The environment every pipeline function shares (the one writer of what awsPipelineFromEnv reads). */
export function pipelineEnvironment(args: PipelineEnvironmentArgs): Record<string, pulumi.Input<string>> {
  return {
    REZ_STAGE: args.stage,
    REZ_TOPIC_ARN: args.topicArn,
    REZ_MESSAGES_TABLE: args.tableName,
    REZ_RETENTION_DAYS: String(args.retentionDays),
  };
}

export interface BundledFunction {
  fn: aws.lambda.Function;
  role: aws.iam.Role;
  logGroup: aws.cloudwatch.LogGroup;
}

/**
 * Role, inline least-privilege policy, log group with retention and the
 * function itself, all children of `parent`, named `${name}-role` etc.
 */
export function bundledFunction(
  name: string,
  args: BundledFunctionArgs,
  parent: pulumi.Resource,
): BundledFunction {
  if (!/^[A-Za-z0-9-_]{1,64}$/.test(args.functionName)) {
    throw new Error(`${name}: functionName "${args.functionName}" must be 1–64 letters, digits, - or _`);
  }
  const opts = { parent };
  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-logs`,
    { name: `/aws/lambda/${args.functionName}`, retentionInDays: args.logRetentionDays },
    opts,
  );
  const role = serviceRole(`${name}-role`, 'lambda.amazonaws.com', args.roleScope, parent);
  const policy = new aws.iam.RolePolicy(
    `${name}-policy`,
    {
      role: role.id,
      policy: policyDocument([
        allow('WriteOwnLogs', LOG_WRITE, logStreams(logGroup.arn)),
        ...args.statements(logGroup.arn),
      ]),
    },
    opts,
  );
  const fn = new aws.lambda.Function(
    `${name}-function`,
    {
      name: args.functionName,
      runtime: aws.lambda.Runtime.NodeJS22dX,
      architectures: ['arm64'],
      handler: 'index.handler',
      code: new pulumi.asset.FileArchive(args.bundleDir),
      role: role.arn,
      timeout: args.timeoutSeconds,
      memorySize: args.memoryMb,
      environment: { variables: args.environment },
      loggingConfig: { logFormat: 'JSON', logGroup: logGroup.name },
    },
    // The policy must exist before the first invocation can log or poll.
    { parent, dependsOn: [policy, logGroup] },
  );
  return { fn, role, logGroup };
}
