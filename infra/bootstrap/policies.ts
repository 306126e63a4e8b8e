/**
 * The bootstrap's IAM documents, as plain data (no Pulumi), so tests can read
 * and evaluate them. A stage's deploy role may create and change only
 * resources named `rez-<stage>-…` (or, where AWS names a resource by a
 * generated ID, tagged `rez:stage=<stage>`), roles only under `/rez/<stage>/`
 * and only with that stage's permissions boundary, and its own stack's
 * state and secrets key. Nothing here may change anything under the bootstrap's
 * IAM path, its own role included.
 */
import { BOOTSTRAP_IAM_PATH, STAGE_TAG, stackStateKeys, stagePrefix, workloadRolePath } from '../naming';

/** Where the documents apply. */
export interface AccountScope {
  partition: string;
  accountId: string;
  region: string;
}

export interface Statement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Statement[];
}

const doc = (statements: Statement[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements });
const allow = (
  Sid: string,
  Action: string[],
  Resource: string[],
  Condition?: Statement['Condition'],
): Statement => ({
  Sid,
  Effect: 'Allow',
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});

/** The OIDC issuer GitHub Actions tokens come from. */
export const GITHUB_OIDC_URL = 'https://token.actions.githubusercontent.com';
const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/** A role's trust policy: who may assume it. */
export interface TrustPolicy {
  Version: '2012-10-17';
  Statement: {
    Sid: string;
    Effect: 'Allow';
    Principal: { Federated: string };
    Action: string[];
    Condition: Record<string, Record<string, string>>;
  }[];
}

/** Trust: only jobs of `repository` (OWNER/REPO) that run in the GitHub environment `environment`. */
export function githubTrustPolicy(providerArn: string, repository: string, environment: string): TrustPolicy {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'GitHubActionsEnvironment',
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: ['sts:AssumeRoleWithWebIdentity'],
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com',
            [`${GITHUB_OIDC_HOST}:sub`]: `repo:${repository}:environment:${environment}`,
          },
        },
      },
    ],
  };
}

/** ARN builder for one account and region. */
function arns(scope: AccountScope) {
  const { partition: p, accountId: a, region: r } = scope;
  return {
    regional: (service: string, resource: string, region = r) =>
      `arn:${p}:${service}:${region}:${a}:${resource}`,
    global: (service: string, resource: string) => `arn:${p}:${service}::${a}:${resource}`,
    s3: (path: string) => `arn:${p}:s3:::${path}`,
  };
}

/**
 * The most a stage's workload roles (function and schedule roles) may ever
 * do, whatever policy a deploy role writes into them: the stage's own
 * resources, with the actions the program's roles use.
 */
export function boundaryPolicy(scope: AccountScope, stage: string): PolicyDocument {
  const prefix = stagePrefix(stage);
  const { regional } = arns(scope);
  return doc([
    allow(
      'OwnLogs',
      ['logs:CreateLogStream', 'logs:PutLogEvents'],
      [regional('logs', `log-group:/aws/lambda/${prefix}-*`)],
    ),
    allow('PublishToStageTopics', ['sns:Publish'], [regional('sns', `${prefix}-*`)]),
    allow(
      'StageQueues',
      [
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ChangeMessageVisibility',
        'sqs:SendMessage',
      ],
      [regional('sqs', `${prefix}-*`)],
    ),
    allow(
      'StageTable',
      [
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
      ],
      [regional('dynamodb', `table/${prefix}-*`)],
    ),
    allow('InvokeStageFunctions', ['lambda:InvokeFunction'], [regional('lambda', `function:${prefix}-*`)]),
    // The console manages the schedules people create, in the stage's groups, passing the stage's schedule role.
    allow(
      'StageUserSchedules',
      [
        'scheduler:CreateSchedule',
        'scheduler:UpdateSchedule',
        'scheduler:DeleteSchedule',
        'scheduler:GetSchedule',
      ],
      [regional('scheduler', `schedule/${prefix}-*/*`)],
    ),
    allow(
      'PassStageRolesToScheduler',
      ['iam:PassRole'],
      [arns(scope).global('iam', `role${workloadRolePath(stage)}*`)],
      { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    ),
    allow('StageSecrets', ['ssm:GetParameter'], [regional('ssm', `parameter/rez/${stage}/*`)]),
    // Reading a SecureString, SSM decrypts it as the caller. The aws/ssm key's own policy grants that
    // to every principal of the account, but a boundary may cap a key policy's grant to a role:
    // this keeps it from capping SSM's decrypt (a cap only; the function roles grant no KMS action).
    allow('DecryptSecretsThroughSsm', ['kms:Decrypt'], [regional('kms', 'key/*')], {
      StringEquals: { 'kms:ViaService': `ssm.${scope.region}.amazonaws.com` },
    }),
    allow('ReadMetrics', ['cloudwatch:GetMetricData'], ['*']),
  ]);
}

export interface DeployTargets {
  /** The state bucket (Pulumi DIY backend). */
  bucket: string;
  /** ARN of the KMS key of this stage's Pulumi secrets. */
  secretsKeyArn: string;
  /** ARN of this stage's permissions boundary. */
  boundaryArn: string;
}

/** `aws:RequestTag` / `aws:ResourceTag` conditions on the stage tag. */
const requestTag = (stage: string) => ({ StringEquals: { [`aws:RequestTag/${STAGE_TAG}`]: stage } });
const resourceTag = (stage: string) => ({ StringEquals: { [`aws:ResourceTag/${STAGE_TAG}`]: stage } });

/**
 * The deploy role's permissions for one stage, split into managed policies
 * (each under IAM's 6,144-character limit): its stack's state and secrets,
 * the serverless services, IAM for the workload roles, and network + edge.
 */
export function deployPolicies(
  scope: AccountScope,
  stage: string,
  targets: DeployTargets,
): Record<'state' | 'serverless' | 'iam' | 'edge', PolicyDocument> {
  const prefix = stagePrefix(stage);
  const { regional, global, s3 } = arns(scope);
  const rolePath = workloadRolePath(stage);
  const stageRoles = global('iam', `role${rolePath}*`);
  const functions = regional('lambda', `function:${prefix}-*`);
  const ec2 = (type: string) => regional('ec2', `${type}/*`);
  const cloudfront = (type: string) => global('cloudfront', `${type}/*`);

  const state = doc([
    allow(
      'OwnStackState',
      ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      stackStateKeys(stage).map((key) => s3(`${targets.bucket}/${key}`)),
    ),
    allow('BackendMeta', ['s3:GetObject'], [s3(`${targets.bucket}/.pulumi/meta.yaml`)]),
    // Object names only (S3 answers 404 instead of 403 for a missing stack file only with this).
    allow('ListStateBucket', ['s3:ListBucket'], [s3(targets.bucket)]),
    allow('DecryptOwnStackSecrets', ['kms:Decrypt'], [targets.secretsKeyArn]),
  ]);

  const serverless = doc([
    allow('StageTopics', ['sns:*'], [regional('sns', `${prefix}-*`)]),
    allow('StageQueues', ['sqs:*'], [regional('sqs', `${prefix}-*`)]),
    allow('StageTable', ['dynamodb:*'], [regional('dynamodb', `table/${prefix}-*`)]),
    allow('StageFunctions', ['lambda:*'], [functions]),
    allow('CreateStageEventSourceMappings', ['lambda:CreateEventSourceMapping'], ['*'], {
      ArnLike: { 'lambda:FunctionArn': functions },
    }),
    allow(
      'ChangeStageEventSourceMappings',
      ['lambda:UpdateEventSourceMapping', 'lambda:DeleteEventSourceMapping'],
      [regional('lambda', 'event-source-mapping:*')],
      { ArnLike: { 'lambda:FunctionArn': functions } },
    ),
    allow(
      'TagNewEventSourceMappings',
      ['lambda:TagResource'],
      [regional('lambda', 'event-source-mapping:*')],
      requestTag(stage),
    ),
    allow(
      'TagStageEventSourceMappings',
      ['lambda:TagResource', 'lambda:UntagResource'],
      [regional('lambda', 'event-source-mapping:*')],
      resourceTag(stage),
    ),
    allow(
      'ReadEventSourceMappings',
      ['lambda:GetEventSourceMapping', 'lambda:ListEventSourceMappings', 'lambda:ListTags'],
      ['*'],
    ),
    allow('StageLogGroups', ['logs:*'], [regional('logs', `log-group:/aws/lambda/${prefix}-*`)]),
    allow('ListLogGroups', ['logs:DescribeLogGroups'], ['*']),
    allow(
      'StageAlarms',
      [
        'cloudwatch:PutMetricAlarm',
        'cloudwatch:DeleteAlarms',
        'cloudwatch:DescribeAlarms',
        'cloudwatch:TagResource',
        'cloudwatch:UntagResource',
        'cloudwatch:ListTagsForResource',
      ],
      [regional('cloudwatch', `alarm:${prefix}-*`)],
    ),
    allow(
      'StageSchedules',
      ['scheduler:*'],
      [regional('scheduler', `schedule-group/${prefix}-*`), regional('scheduler', `schedule/${prefix}-*/*`)],
    ),
    allow(
      'StageSecretParameters',
      [
        'ssm:PutParameter',
        'ssm:DeleteParameter',
        'ssm:GetParameter',
        'ssm:GetParameters',
        'ssm:AddTagsToResource',
        'ssm:RemoveTagsFromResource',
        'ssm:ListTagsForResource',
      ],
      [regional('ssm', `parameter/rez/${stage}/*`)],
    ),
    allow('DescribeParameters', ['ssm:DescribeParameters'], ['*']),
  ]);

  const iam = doc([
    allow(
      'CreateStageRolesWithBoundary',
      ['iam:CreateRole', 'iam:PutRolePermissionsBoundary'],
      [stageRoles],
      {
        StringEquals: { 'iam:PermissionsBoundary': targets.boundaryArn },
      },
    ),
    allow('StageRolePolicies', ['iam:PutRolePolicy', 'iam:DeleteRolePolicy'], [stageRoles], {
      StringEquals: { 'iam:PermissionsBoundary': targets.boundaryArn },
    }),
    allow(
      'StageRoles',
      [
        'iam:GetRole',
        'iam:GetRolePolicy',
        'iam:ListRolePolicies',
        'iam:ListAttachedRolePolicies',
        'iam:ListInstanceProfilesForRole',
        'iam:ListRoleTags',
        'iam:TagRole',
        'iam:UntagRole',
        'iam:UpdateRole',
        'iam:UpdateRoleDescription',
        'iam:UpdateAssumeRolePolicy',
        'iam:DeleteRole',
      ],
      [stageRoles],
    ),
    allow('PassStageRoles', ['iam:PassRole'], [stageRoles], {
      StringEquals: { 'iam:PassedToService': ['lambda.amazonaws.com', 'scheduler.amazonaws.com'] },
    }),
    allow('ServiceLinkedRoles', ['iam:CreateServiceLinkedRole'], [global('iam', 'role/aws-service-role/*')], {
      StringEquals: {
        'iam:AWSServiceName': ['elasticloadbalancing.amazonaws.com', 'vpcorigin.cloudfront.amazonaws.com'],
      },
    }),
    {
      Sid: 'KeepBoundaries',
      Effect: 'Deny',
      Action: ['iam:DeleteRolePermissionsBoundary'],
      Resource: [global('iam', 'role/*')],
    },
    {
      Sid: 'NothingUnderTheBootstrapPath',
      Effect: 'Deny',
      Action: ['iam:*'],
      Resource: [global('iam', `role${BOOTSTRAP_IAM_PATH}*`), global('iam', `policy${BOOTSTRAP_IAM_PATH}*`)],
    },
  ]);

  const edge = doc([
    allow('Describe', ['ec2:Describe*', 'elasticloadbalancing:Describe*', 'cloudfront:List*'], ['*']),
    allow('CreateVpc', ['ec2:CreateVpc'], [ec2('vpc')], requestTag(stage)),
    allow(
      'CreateInStageVpc',
      ['ec2:CreateSubnet', 'ec2:CreateSecurityGroup'],
      [ec2('subnet'), ec2('security-group')],
      requestTag(stage),
    ),
    allow(
      'CreateInternetGateway',
      ['ec2:CreateInternetGateway'],
      [ec2('internet-gateway')],
      requestTag(stage),
    ),
    allow('TagOnCreate', ['ec2:CreateTags'], ['*'], {
      StringEquals: {
        'ec2:CreateAction': ['CreateVpc', 'CreateSubnet', 'CreateSecurityGroup', 'CreateInternetGateway'],
      },
    }),
    allow(
      'ChangeStageNetwork',
      [
        'ec2:CreateSubnet',
        'ec2:CreateSecurityGroup',
        'ec2:ModifyVpcAttribute',
        'ec2:DeleteVpc',
        'ec2:ModifySubnetAttribute',
        'ec2:DeleteSubnet',
        'ec2:AttachInternetGateway',
        'ec2:DetachInternetGateway',
        'ec2:DeleteInternetGateway',
        'ec2:AuthorizeSecurityGroupIngress',
        'ec2:AuthorizeSecurityGroupEgress',
        'ec2:RevokeSecurityGroupIngress',
        'ec2:RevokeSecurityGroupEgress',
        'ec2:UpdateSecurityGroupRuleDescriptionsIngress',
        'ec2:UpdateSecurityGroupRuleDescriptionsEgress',
        'ec2:DeleteSecurityGroup',
        'ec2:CreateTags',
        'ec2:DeleteTags',
      ],
      [ec2('vpc'), ec2('subnet'), ec2('internet-gateway'), ec2('security-group')],
      { StringEquals: { [`ec2:ResourceTag/${STAGE_TAG}`]: stage } },
    ),
    allow(
      'SecurityGroupRules',
      [
        'ec2:AuthorizeSecurityGroupIngress',
        'ec2:AuthorizeSecurityGroupEgress',
        'ec2:RevokeSecurityGroupIngress',
        'ec2:RevokeSecurityGroupEgress',
      ],
      [ec2('security-group-rule')],
    ),
    allow(
      'StageLoadBalancers',
      ['elasticloadbalancing:*'],
      [
        regional('elasticloadbalancing', `loadbalancer/app/${prefix}-*`),
        regional('elasticloadbalancing', `listener/app/${prefix}-*`),
        regional('elasticloadbalancing', `listener-rule/app/${prefix}-*`),
        regional('elasticloadbalancing', `targetgroup/${prefix}-*`),
      ],
    ),
    allow(
      'CreateEdge',
      ['cloudfront:CreateDistribution', 'cloudfront:CreateVpcOrigin', 'cloudfront:TagResource'],
      [cloudfront('distribution'), cloudfront('vpcorigin')],
      requestTag(stage),
    ),
    allow(
      'ChangeStageEdge',
      [
        'cloudfront:GetDistribution',
        'cloudfront:GetDistributionConfig',
        'cloudfront:UpdateDistribution',
        'cloudfront:DeleteDistribution',
        'cloudfront:GetVpcOrigin',
        'cloudfront:UpdateVpcOrigin',
        'cloudfront:DeleteVpcOrigin',
        'cloudfront:TagResource',
        'cloudfront:UntagResource',
        'cloudfront:ListTagsForResource',
      ],
      [cloudfront('distribution'), cloudfront('vpcorigin')],
      resourceTag(stage),
    ),
    // CloudFront takes certificates from us-east-1 only.
    allow('ReadCertificates', ['acm:DescribeCertificate'], [regional('acm', 'certificate/*', 'us-east-1')]),
  ]);

  return { state, serverless, iam, edge };
}

/**
 * What a pull-request preview of `stage` needs: read its stack's state,
 * decrypt its config secrets, and the provider functions the program calls.
 * Nothing it can change.
 */
export function previewPolicy(
  scope: AccountScope,
  stage: string,
  targets: Pick<DeployTargets, 'bucket' | 'secretsKeyArn'>,
): PolicyDocument {
  const { s3 } = arns(scope);
  return doc([
    allow(
      'ReadStackState',
      ['s3:GetObject'],
      [
        ...stackStateKeys(stage).map((key) => s3(`${targets.bucket}/${key}`)),
        s3(`${targets.bucket}/.pulumi/meta.yaml`),
      ],
    ),
    allow('ListStateBucket', ['s3:ListBucket'], [s3(targets.bucket)]),
    allow('DecryptStackSecrets', ['kms:Decrypt'], [targets.secretsKeyArn]),
    allow('ProgramLookups', ['ec2:DescribeAvailabilityZones', 'ec2:DescribeRegions'], ['*']),
  ]);
}
