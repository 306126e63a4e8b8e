import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { consoleCallbackUrl } from '@rez/core';

/**
 * CloudFront managed policies (IDs are fixed by AWS):
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html
 */
export const MANAGED_POLICY = {
  /** Managed-CachingDisabled: nothing the console answers is cached. */
  cachingDisabled: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
  /** Managed-AllViewerExceptHostHeader: every cookie, query string and header but Host reaches the origin. */
  allViewerExceptHostHeader: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
} as const;

/** Every method the console's routes and forms use (CloudFront takes exactly this set or a subset of it). */
export const CONSOLE_METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'];

/** The origin's id inside the distribution. */
const ORIGIN_ID = 'console-alb';

export interface EdgeArgs {
  stage: string;
  vpcId: pulumi.Input<string>;
  /** The VPC's CIDR: the only source the load balancer admits (CloudFront's VPC origin endpoints live there). */
  vpcCidr: string;
  /** Private subnets (two zones) for the internal load balancer. */
  subnetIds: pulumi.Input<string>[];
  /** A name of your own with its ACM certificate in us-east-1; the distribution's cloudfront.net name otherwise. */
  customDomain?: { domainName: string; certificateArn: string };
  /** How long CloudFront waits for the console to answer (the web function's timeout must be below it). */
  originReadTimeoutSeconds: number;
}

/**
 * The console's way in: a CloudFront distribution, HTTPS only, nothing
 * cached, in front of an internal Application Load Balancer reached through a
 * CloudFront VPC origin. The load balancer has no public address and its
 * security group admits only the VPC's own range, so CloudFront is the only
 * path to it. The target group (type lambda) is here; Web attaches the
 * function to it.
 */
export class Edge extends pulumi.ComponentResource {
  readonly loadBalancer: aws.lb.LoadBalancer;
  readonly targetGroup: aws.lb.TargetGroup;
  readonly distribution: aws.cloudfront.Distribution;
  /** `https://<custom domain or distribution domain>`: REZ_PUBLIC_URL and the `consoleUrl` output. */
  readonly url: pulumi.Output<string>;
  /** `<url>/auth/callback`: the redirect URI to register with the OpenID provider. */
  readonly callbackUrl: pulumi.Output<string>;

  constructor(name: string, args: EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
    super('rez:edge:Edge', name, {}, opts);
    validate(args);
    const parent = { parent: this };

    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-alb-sg`,
      {
        description: `Rez console load balancer (${args.stage}): HTTP from the VPC only`,
        vpcId: args.vpcId,
        ingress: [
          {
            description: 'CloudFront VPC origin endpoints (in this VPC)',
            protocol: 'tcp',
            fromPort: 80,
            toPort: 80,
            cidrBlocks: [args.vpcCidr],
          },
        ],
        egress: [{ protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: [args.vpcCidr] }],
        tags: { Name: `${name}-alb-sg` },
      },
      parent,
    );

    this.loadBalancer = new aws.lb.LoadBalancer(
      `${name}-alb`,
      {
        loadBalancerType: 'application',
        internal: true,
        securityGroups: [securityGroup.id],
        subnets: args.subnetIds,
        dropInvalidHeaderFields: true,
      },
      parent,
    );
    this.targetGroup = new aws.lb.TargetGroup(
      `${name}-tg`,
      { targetType: 'lambda', lambdaMultiValueHeadersEnabled: true },
      parent,
    );
    new aws.lb.Listener(
      `${name}-http`,
      {
        loadBalancerArn: this.loadBalancer.arn,
        port: 80,
        protocol: 'HTTP',
        defaultActions: [{ type: 'forward', targetGroupArn: this.targetGroup.arn }],
      },
      parent,
    );

    // CloudFront reaches the internal ALB over AWS's network; TLS ends at CloudFront.
    const vpcOrigin = new aws.cloudfront.VpcOrigin(
      `${name}-origin`,
      {
        vpcOriginEndpointConfig: {
          name: `rez-${args.stage}-console`,
          arn: this.loadBalancer.arn,
          httpPort: 80,
          httpsPort: 443,
          originProtocolPolicy: 'http-only',
          originSslProtocols: { items: ['TLSv1.2'], quantity: 1 },
        },
      },
      parent,
    );

    const custom = args.customDomain;
    this.distribution = new aws.cloudfront.Distribution(
      `${name}-cdn`,
      {
        enabled: true,
        comment: `Rez console (${args.stage})`,
        isIpv6Enabled: true,
        httpVersion: 'http2and3',
        priceClass: 'PriceClass_100',
        aliases: custom ? [custom.domainName] : [],
        origins: [
          {
            originId: ORIGIN_ID,
            domainName: this.loadBalancer.dnsName,
            vpcOriginConfig: {
              vpcOriginId: vpcOrigin.id,
              originReadTimeout: args.originReadTimeoutSeconds,
              originKeepaliveTimeout: 5,
            },
          },
        ],
        defaultCacheBehavior: {
          targetOriginId: ORIGIN_ID,
          // Plain-HTTP requests get a redirect from CloudFront and never reach the console.
          viewerProtocolPolicy: 'redirect-to-https',
          allowedMethods: CONSOLE_METHODS,
          cachedMethods: ['GET', 'HEAD'],
          cachePolicyId: MANAGED_POLICY.cachingDisabled,
          originRequestPolicyId: MANAGED_POLICY.allViewerExceptHostHeader,
          compress: true,
        },
        restrictions: { geoRestriction: { restrictionType: 'none' } },
        viewerCertificate: custom
          ? {
              acmCertificateArn: custom.certificateArn,
              sslSupportMethod: 'sni-only',
              minimumProtocolVersion: 'TLSv1.2_2021',
            }
          : { cloudfrontDefaultCertificate: true },
      },
      parent,
    );

    this.url = custom
      ? pulumi.output(`https://${custom.domainName}`)
      : pulumi.interpolate`https://${this.distribution.domainName}`;
    this.callbackUrl = this.url.apply(consoleCallbackUrl);
    this.registerOutputs({
      url: this.url,
      callbackUrl: this.callbackUrl,
      distributionDomainName: this.distribution.domainName,
    });
  }
}

function validate(args: EdgeArgs): void {
  if (args.subnetIds.length < 2) {
    throw new Error(
      `Edge: subnetIds must name at least two subnets (an ALB spans two zones), got ${args.subnetIds.length}`,
    );
  }
  if (args.vpcCidr === '0.0.0.0/0' || args.vpcCidr === '::/0') {
    throw new Error('Edge: vpcCidr must be the VPC range, never the whole internet');
  }
  const timeout = args.originReadTimeoutSeconds;
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 120) {
    throw new Error(`Edge: originReadTimeoutSeconds must be a whole number from 1 to 120, got ${timeout}`);
  }
}
