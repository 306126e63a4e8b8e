import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { ScheduleDefinition } from '@rez/core';
import { bundledFunction, pipelineEnvironment } from './function';
import { allow, allowOnAnyResource, DYNAMODB_READ, DYNAMODB_WRITE, SNS_PUBLISH, tableResources } from './iam';

/** TLS 1.3 with 1.2 fallback: the ALB policy AWS recommends for new listeners. */
export const TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

export interface WebArgs {
  stage: string;
  /** Folder of the built web bundle (packages/web/dist, index.js plus its views). */
  bundleDir: string;
  topicArn: pulumi.Input<string>;
  tableName: pulumi.Input<string>;
  /** Days a message stays in the store (its TTL), passed as REZ_RETENTION_DAYS. */
  retentionDays: number;
  tableArn: pulumi.Input<string>;
  queueUrl: pulumi.Input<string>;
  queueArn: pulumi.Input<string>;
  deadLetterQueueUrl: pulumi.Input<string>;
  deadLetterQueueArn: pulumi.Input<string>;
  oauthIssuer: string;
  oauthClientId: string;
  oauthClientSecret: pulumi.Input<string>;
  sessionKey: pulumi.Input<string>;
  /** The stack's schedules, shown on the dashboard (REZ_SCHEDULES, JSON). */
  schedules: readonly ScheduleDefinition[];
  /** Users allowed into the console; passed as REZ_ALLOWED_USERS, comma-separated. */
  allowedUsers: string[];
  /** ACM certificate: HTTPS on 443 and HTTP redirecting to it. Without one: plain HTTP on 80. */
  certificateArn?: string;
  /** The console's URL (DNS name on the certificate). Required with certificateArn; defaults to the ALB's name. */
  publicUrl?: string;
  logRetentionDays: number;
}

/**
 * The console: the web Lambda behind an Application Load Balancer in the
 * default VPC (target group of type lambda, multi-value headers on, so
 * repeated query parameters and Set-Cookie headers survive).
 */
export class Web extends pulumi.ComponentResource {
  readonly fn: aws.lambda.Function;
  readonly loadBalancer: aws.lb.LoadBalancer;
  readonly targetGroup: aws.lb.TargetGroup;
  /** Where the console answers: publicUrl, or http(s)://<ALB DNS name>. */
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: WebArgs, opts?: pulumi.ComponentResourceOptions) {
    super('rez:web:Web', name, {}, opts);
    validate(args);
    const parent = { parent: this };
    const https = args.certificateArn !== undefined;

    const vpc = aws.ec2.getVpcOutput({ default: true }, parent);
    const subnets = aws.ec2.getSubnetsOutput({ filters: [{ name: 'vpc-id', values: [vpc.id] }] }, parent);

    const ports = https ? [80, 443] : [80];
    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-alb-sg`,
      {
        description: `Rez console load balancer (${args.stage})`,
        vpcId: vpc.id,
        ingress: ports.map((port) => ({
          description: `HTTP${port === 443 ? 'S' : ''} from anywhere`,
          protocol: 'tcp',
          fromPort: port,
          toPort: port,
          cidrBlocks: ['0.0.0.0/0'],
          ipv6CidrBlocks: ['::/0'],
        })),
        egress: [{ protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: ['0.0.0.0/0'] }],
      },
      parent,
    );

    this.loadBalancer = new aws.lb.LoadBalancer(
      `${name}-alb`,
      {
        loadBalancerType: 'application',
        internal: false,
        securityGroups: [securityGroup.id],
        subnets: subnets.ids,
        dropInvalidHeaderFields: true,
      },
      parent,
    );

    this.url = args.publicUrl
      ? pulumi.output(args.publicUrl)
      : pulumi.interpolate`${https ? 'https' : 'http'}://${this.loadBalancer.dnsName}`;

    const created = bundledFunction(
      name,
      {
        functionName: `rez-${args.stage}-web`,
        bundleDir: args.bundleDir,
        timeoutSeconds: 30,
        memoryMb: 1024,
        logRetentionDays: args.logRetentionDays,
        environment: {
          ...pipelineEnvironment(args),
          REZ_QUEUE_URL: args.queueUrl,
          REZ_DLQ_URL: args.deadLetterQueueUrl,
          OAUTH_ISSUER: args.oauthIssuer,
          OAUTH_CLIENT_ID: args.oauthClientId,
          OAUTH_CLIENT_SECRET: pulumi.secret(args.oauthClientSecret),
          REZ_ALLOWED_USERS: args.allowedUsers.join(','),
          REZ_SESSION_KEY: pulumi.secret(args.sessionKey),
          REZ_PUBLIC_URL: this.url,
          REZ_SCHEDULES: JSON.stringify(args.schedules),
        },
        statements: () => [
          allow('SubmitMessages', SNS_PUBLISH, [args.topicArn]),
          allow('MessageStore', [...DYNAMODB_READ, ...DYNAMODB_WRITE], tableResources(args.tableArn)),
          // Queue depth for the dashboard; SendMessage because a DLQ redrive moves messages into it.
          allow('QueueDepthAndRedriveTarget', ['sqs:GetQueueAttributes', 'sqs:SendMessage'], [args.queueArn]),
          allow(
            'InspectAndRedriveDeadLetters',
            [
              'sqs:GetQueueAttributes',
              'sqs:ReceiveMessage',
              'sqs:DeleteMessage',
              'sqs:ChangeMessageVisibility',
              'sqs:StartMessageMoveTask',
              'sqs:ListMessageMoveTasks',
              'sqs:CancelMessageMoveTask',
            ],
            [args.deadLetterQueueArn],
          ),
          // GetMetricData has no resource-level permissions: AWS only accepts Resource "*".
          allowOnAnyResource('ReadMetrics', ['cloudwatch:GetMetricData']),
        ],
      },
      this,
    );
    this.fn = created.fn;

    this.targetGroup = new aws.lb.TargetGroup(
      `${name}-tg`,
      { targetType: 'lambda', lambdaMultiValueHeadersEnabled: true },
      parent,
    );
    const permission = new aws.lambda.Permission(
      `${name}-alb-invoke`,
      {
        action: 'lambda:InvokeFunction',
        function: this.fn.name,
        principal: 'elasticloadbalancing.amazonaws.com',
        sourceArn: this.targetGroup.arn,
      },
      parent,
    );
    new aws.lb.TargetGroupAttachment(
      `${name}-tg-attachment`,
      { targetGroupArn: this.targetGroup.arn, targetId: this.fn.arn },
      { parent: this, dependsOn: [permission] },
    );

    const forward = [{ type: 'forward', targetGroupArn: this.targetGroup.arn }];
    if (https) {
      new aws.lb.Listener(
        `${name}-https`,
        {
          loadBalancerArn: this.loadBalancer.arn,
          port: 443,
          protocol: 'HTTPS',
          sslPolicy: TLS_POLICY,
          certificateArn: args.certificateArn,
          defaultActions: forward,
        },
        parent,
      );
      new aws.lb.Listener(
        `${name}-http`,
        {
          loadBalancerArn: this.loadBalancer.arn,
          port: 80,
          protocol: 'HTTP',
          defaultActions: [
            { type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } },
          ],
        },
        parent,
      );
    } else {
      new aws.lb.Listener(
        `${name}-http`,
        { loadBalancerArn: this.loadBalancer.arn, port: 80, protocol: 'HTTP', defaultActions: forward },
        parent,
      );
    }

    this.registerOutputs({ url: this.url, functionName: this.fn.name });
  }
}

function validate(args: WebArgs): void {
  if (args.allowedUsers.length === 0) throw new Error('Web: allowedUsers must name at least one user');
  if (args.allowedUsers.some((u) => u.includes(','))) {
    throw new Error('Web: allowedUsers entries must not contain "," (REZ_ALLOWED_USERS is comma-separated)');
  }
  if (args.certificateArn !== undefined && !args.publicUrl?.startsWith('https://')) {
    throw new Error(
      'Web: publicUrl must be the https:// name on the certificate when certificateArn is set ' +
        "(the ALB's own DNS name is not on it)",
    );
  }
}
