/**
 * The program and the bootstrap agree: every resource a stage's program
 * declares is one that stage's deploy role may create (by name, or by the tag
 * its provider puts on it), and every permission the program grants its
 * roles fits inside the stage's permissions boundary. A resource named
 * outside `rez-<stage>-…` fails here, not with AccessDenied on a first deploy.
 */
import { boundaryPolicy, deployPolicies } from '../bootstrap/policies';
import { ACCOUNT_SCOPE, boundaryArnOf, STATE_BUCKET } from './fakes';
import {
  ACCOUNT_ID,
  fakeState,
  ofType,
  REGION,
  type Recorded,
  runStage,
  type StageRun,
  statements,
} from './harness';
import { type Context, decide, type EvalDocument } from './iam-eval';

const scope = ACCOUNT_SCOPE;
const BUCKET = STATE_BUCKET;
const boundaryArn = boundaryArnOf;

const runs: Record<string, StageRun> = {};
beforeAll(async () => {
  runs.dev = await runStage('dev');
  runs.prod = await runStage('prod');
});

interface Check {
  action: string;
  resource: string;
  context?: Context;
}

const ec2 = (path: string) => `arn:aws:ec2:${REGION}:${ACCOUNT_ID}:${path}`;
const queueArnFromUrl = (url: string) => {
  const [, , host, account, name] = url.split('/');
  return `arn:aws:sqs:${host.split('.')[1]}:${account}:${name}`;
};

/** The calls creating `resource` makes, as IAM sees them. */
function deployChecks(resource: Recorded, all: Recorded[], stageTag: string): Check[] {
  const { type, inputs } = resource;
  const arn = fakeState(type, resource.name, inputs).arn as string;
  const requestTag = { 'aws:RequestTag/rez:stage': stageTag };
  const resourceTag = { 'aws:ResourceTag/rez:stage': stageTag, 'ec2:ResourceTag/rez:stage': stageTag };
  const roleArnOf = (id: string) => {
    const role = all.find((r) => r.type === 'aws:iam/role:Role' && `${r.name}-id` === id) as Recorded;
    return {
      arn: fakeState(role.type, role.name, role.inputs).arn as string,
      boundary: role.inputs.permissionsBoundary,
    };
  };
  switch (type) {
    case 'aws:sns/topic:Topic':
      return [{ action: 'sns:CreateTopic', resource: arn }];
    case 'aws:sns/topicSubscription:TopicSubscription':
      return [{ action: 'sns:Subscribe', resource: inputs.topic }];
    case 'aws:sqs/queue:Queue':
      return [{ action: 'sqs:CreateQueue', resource: arn }];
    case 'aws:sqs/queuePolicy:QueuePolicy':
    case 'aws:sqs/redriveAllowPolicy:RedriveAllowPolicy':
      return [{ action: 'sqs:SetQueueAttributes', resource: queueArnFromUrl(inputs.queueUrl) }];
    case 'aws:dynamodb/table:Table':
      return [{ action: 'dynamodb:CreateTable', resource: arn }];
    case 'aws:lambda/function:Function':
      return [
        { action: 'lambda:CreateFunction', resource: arn },
        {
          action: 'iam:PassRole',
          resource: inputs.role,
          context: { 'iam:PassedToService': 'lambda.amazonaws.com' },
        },
      ];
    case 'aws:lambda/permission:Permission':
      return [
        {
          action: 'lambda:AddPermission',
          resource: fakeState('aws:lambda/function:Function', '', { name: inputs.function }).arn as string,
        },
      ];
    case 'aws:lambda/eventSourceMapping:EventSourceMapping':
      return [
        {
          action: 'lambda:CreateEventSourceMapping',
          resource: '*',
          context: { 'lambda:FunctionArn': inputs.functionName },
        },
      ];
    case 'aws:cloudwatch/logGroup:LogGroup':
      return [{ action: 'logs:CreateLogGroup', resource: arn }];
    case 'aws:cloudwatch/metricAlarm:MetricAlarm':
      return [{ action: 'cloudwatch:PutMetricAlarm', resource: arn }];
    case 'aws:scheduler/scheduleGroup:ScheduleGroup':
      return [{ action: 'scheduler:CreateScheduleGroup', resource: arn }];
    case 'aws:scheduler/schedule:Schedule':
      return [
        { action: 'scheduler:CreateSchedule', resource: arn },
        {
          action: 'iam:PassRole',
          resource: inputs.target.roleArn,
          context: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
        },
      ];
    case 'aws:ssm/parameter:Parameter':
      return [{ action: 'ssm:PutParameter', resource: arn }];
    case 'aws:iam/role:Role':
      return [
        {
          action: 'iam:CreateRole',
          resource: arn,
          context: { 'iam:PermissionsBoundary': inputs.permissionsBoundary },
        },
      ];
    case 'aws:iam/rolePolicy:RolePolicy': {
      const role = roleArnOf(inputs.role);
      return [
        {
          action: 'iam:PutRolePolicy',
          resource: role.arn,
          context: { 'iam:PermissionsBoundary': role.boundary },
        },
      ];
    }
    case 'aws:lb/loadBalancer:LoadBalancer':
      return [{ action: 'elasticloadbalancing:CreateLoadBalancer', resource: arn }];
    case 'aws:lb/targetGroup:TargetGroup':
      return [{ action: 'elasticloadbalancing:CreateTargetGroup', resource: arn }];
    case 'aws:lb/listener:Listener':
      return [
        {
          action: 'elasticloadbalancing:CreateListener',
          resource: `${String(inputs.loadBalancerArn).replace(':loadbalancer/', ':listener/')}/f2f7dc8efc522ab2`,
        },
      ];
    case 'aws:lb/targetGroupAttachment:TargetGroupAttachment':
      return [{ action: 'elasticloadbalancing:RegisterTargets', resource: inputs.targetGroupArn }];
    case 'aws:ec2/vpc:Vpc':
      return [{ action: 'ec2:CreateVpc', resource: ec2('vpc/vpc-new'), context: requestTag }];
    case 'aws:ec2/subnet:Subnet':
      return [
        { action: 'ec2:CreateSubnet', resource: ec2('subnet/subnet-new'), context: requestTag },
        {
          action: 'ec2:CreateSubnet',
          resource: ec2('vpc/vpc-1'),
          context: { ...requestTag, ...resourceTag },
        },
      ];
    case 'aws:ec2/internetGateway:InternetGateway':
      return [
        {
          action: 'ec2:CreateInternetGateway',
          resource: ec2('internet-gateway/igw-new'),
          context: requestTag,
        },
        {
          action: 'ec2:AttachInternetGateway',
          resource: ec2('internet-gateway/igw-1'),
          context: resourceTag,
        },
        { action: 'ec2:AttachInternetGateway', resource: ec2('vpc/vpc-1'), context: resourceTag },
      ];
    case 'aws:ec2/securityGroup:SecurityGroup':
      return [
        { action: 'ec2:CreateSecurityGroup', resource: ec2('security-group/sg-new'), context: requestTag },
        {
          action: 'ec2:CreateSecurityGroup',
          resource: ec2('vpc/vpc-1'),
          context: { ...requestTag, ...resourceTag },
        },
        {
          action: 'ec2:AuthorizeSecurityGroupIngress',
          resource: ec2('security-group/sg-1'),
          context: resourceTag,
        },
        {
          action: 'ec2:RevokeSecurityGroupEgress',
          resource: ec2('security-group/sg-1'),
          context: resourceTag,
        },
      ];
    case 'aws:cloudfront/vpcOrigin:VpcOrigin':
      return [
        {
          action: 'cloudfront:CreateVpcOrigin',
          resource: `arn:aws:cloudfront::${ACCOUNT_ID}:vpcorigin/vo_new`,
          context: requestTag,
        },
      ];
    case 'aws:cloudfront/distribution:Distribution':
      return [
        {
          action: 'cloudfront:CreateDistribution',
          resource: `arn:aws:cloudfront::${ACCOUNT_ID}:distribution/ENEW`,
          context: requestTag,
        },
        {
          action: 'cloudfront:UpdateDistribution',
          resource: `arn:aws:cloudfront::${ACCOUNT_ID}:distribution/E1`,
          context: resourceTag,
        },
      ];
    default:
      throw new Error(`stage-scope.test.ts: no deploy check for ${type}; add what creating it calls`);
  }
}

describe.each(['dev', 'prod'])('Stage scope (%s)', (stage) => {
  const get = () => runs[stage];
  const resources = () => get().recorded.filter((r) => r.type.startsWith('aws:'));

  it('tags the stage through one provider every resource uses', () => {
    const [provider, ...others] = ofType(get().recorded, 'pulumi:providers:aws');
    expect(others).toEqual([]);
    expect(provider.name).toBe(`rez-${stage}-aws`);
    expect(JSON.parse(provider.inputs.defaultTags).tags).toEqual({
      'rez:stage': stage,
      'rez:project': 'rez-agent',
    });
    for (const resource of resources()) {
      expect({ name: resource.name, provider: resource.provider }).toEqual({
        name: resource.name,
        provider: expect.stringContaining(`::pulumi:providers:aws::rez-${stage}-aws::`),
      });
    }
  });

  it('names every resource rez-<stage>-…', () => {
    for (const resource of resources()) expect(resource.name.startsWith(`rez-${stage}-`)).toBe(true);
  });

  it('declares only what the stage’s deploy role may create', () => {
    const documents: EvalDocument[] = Object.values(
      deployPolicies(scope, stage, {
        bucket: BUCKET,
        secretsKeyArn: 'arn:aws:kms:x',
        boundaryArn: boundaryArn(stage),
      }),
    );
    const refused = resources().flatMap((resource) =>
      deployChecks(resource, get().recorded, stage)
        .filter((check) => decide(documents, check.action, check.resource, check.context) !== 'allow')
        .map((check) => ({ of: resource.name, ...check })),
    );
    expect(refused).toEqual([]);
  });

  it('grants its roles nothing beyond the stage’s permissions boundary', () => {
    const boundary = [boundaryPolicy(scope, stage)];
    const outside = ofType(get().recorded, 'aws:iam/rolePolicy:RolePolicy').flatMap((policy) =>
      statements(policy.inputs.policy).flatMap((statement) =>
        statement.Action.flatMap((action) =>
          statement.Resource.filter(
            // A request the statement allows carries the values its StringEquals condition names.
            (resource) =>
              decide(boundary, action, resource, { ...statement.Condition?.StringEquals } as Record<
                string,
                string
              >) !== 'allow',
          ).map((resource) => ({
            policy: policy.name,
            action,
            resource,
          })),
        ),
      ),
    );
    expect(outside).toEqual([]);
  });
});

describe('Stage scope: the checks can fail', () => {
  it('refuses a resource named outside the stage', () => {
    const documents = Object.values(
      deployPolicies(scope, 'dev', { bucket: BUCKET, secretsKeyArn: 'k', boundaryArn: boundaryArn('dev') }),
    );
    const stray: Recorded = { type: 'aws:sqs/queue:Queue', name: 'rez-queue', inputs: {} };
    const [check] = deployChecks(stray, [stray], 'dev');
    expect(decide(documents, check.action, check.resource, check.context)).toBe('implicit-deny');
  });
});
