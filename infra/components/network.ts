import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

/** The stage's own address space; it is peered with nothing, so every stage may use the same one. */
export const VPC_CIDR = '10.42.0.0/16';

export interface NetworkArgs {
  /** Availability zones to place a private subnet in (an ALB needs at least two). */
  availabilityZones: pulumi.Input<string[]>;
}

/**
 * A small VPC of the stage's own for the console's internal load balancer:
 * two private subnets (their route table, the VPC's main one, holds only the
 * local route, so nothing in them is reachable from or routes to the
 * internet) and an internet gateway with no route to it, which CloudFront VPC
 * origins require to exist in the VPC. Nothing else runs here: the Lambdas
 * are not in a VPC.
 */
export class Network extends pulumi.ComponentResource {
  readonly vpc: aws.ec2.Vpc;
  readonly privateSubnets: aws.ec2.Subnet[];
  readonly cidrBlock = VPC_CIDR;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super('rez:network:Network', name, {}, opts);
    const parent = { parent: this };
    this.vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      {
        cidrBlock: VPC_CIDR,
        enableDnsSupport: true,
        enableDnsHostnames: true,
        tags: { Name: `${name}-vpc` },
      },
      parent,
    );
    // Required by CloudFront VPC origins; no route table points at it.
    new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: this.vpc.id, tags: { Name: `${name}-igw` } }, parent);
    const zones = pulumi.output(args.availabilityZones).apply((names) => {
      if (names.length < 2) {
        throw new Error(`Network: the region offers ${names.length} availability zone(s); an ALB needs two`);
      }
      return names.slice(0, 2);
    });
    this.privateSubnets = [0, 1].map(
      (index) =>
        new aws.ec2.Subnet(
          `${name}-private-${index + 1}`,
          {
            vpcId: this.vpc.id,
            cidrBlock: `10.42.${index}.0/24`,
            availabilityZone: zones.apply((names) => names[index]),
            mapPublicIpOnLaunch: false,
            tags: { Name: `${name}-private-${index + 1}` },
          },
          parent,
        ),
    );
    this.registerOutputs({ vpcId: this.vpc.id, subnetIds: this.privateSubnets.map((s) => s.id) });
  }
}
