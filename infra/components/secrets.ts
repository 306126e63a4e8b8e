import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { SECRET_PARAMETERS, type SecretKey, secretParameterName } from '@rez/aws';
import { allow, type PolicyStatement, SSM_READ } from './iam';

export interface SecretsArgs {
  stage: string;
  /** The stack's secrets (`pulumi config set --secret`); an undefined one gets no parameter. */
  values: Partial<Record<SecretKey, pulumi.Input<string> | undefined>>;
}

/**
 * The stage's secrets as SSM Parameter Store SecureStrings at
 * `/rez/<stage>/<name>` (encrypted with the AWS-managed aws/ssm key), written
 * from the Pulumi config secrets. A function gets the parameter's name and
 * version in its environment ({@link Secrets.environment}) and
 * `ssm:GetParameter` on exactly that parameter ({@link Secrets.readStatement});
 * the value never appears in a Lambda configuration. The functions read it
 * with @rez/aws/secrets-from-env.
 */
export class Secrets extends pulumi.ComponentResource {
  readonly parameters: Partial<Record<SecretKey, aws.ssm.Parameter>> = {};

  constructor(name: string, args: SecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('rez:secrets:Secrets', name, {}, opts);
    for (const [key, value] of Object.entries(args.values) as [
      SecretKey,
      pulumi.Input<string> | undefined,
    ][]) {
      if (value === undefined) continue;
      this.parameters[key] = new aws.ssm.Parameter(
        `${name}-${SECRET_PARAMETERS[key].name}`,
        {
          name: secretParameterName(args.stage, key),
          type: 'SecureString',
          value: pulumi.secret(value),
          description: `Rez ${args.stage}: rez:${key} (written by Pulumi from the stack's secret config)`,
        },
        { parent: this },
      );
    }
    this.registerOutputs({
      parameterNames: Object.values(this.parameters).map((parameter) => parameter.name),
    });
  }

  /**
   * The env vars naming the parameters of `keys` that exist, each with its
   * current version (`/rez/prod/session-key:4`, see SECRET_PARAMETERS in
   * @rez/aws). A new secret value is a new version, so the function's
   * configuration changes with it and Lambda starts every instance afresh:
   * no warm instance keeps using the old secret.
   */
  environment(keys: SecretKey[]): Record<string, pulumi.Input<string>> {
    return Object.fromEntries(
      keys.flatMap((key) => {
        const parameter = this.parameters[key];
        return parameter
          ? [[SECRET_PARAMETERS[key].env, pulumi.interpolate`${parameter.name}:${parameter.version}`]]
          : [];
      }),
    );
  }

  /** `ssm:GetParameter` on exactly the parameters of `keys` that exist; none when none do. */
  readStatement(sid: string, keys: SecretKey[]): PolicyStatement[] {
    const arns = keys.flatMap((key) => {
      const parameter = this.parameters[key];
      return parameter ? [parameter.arn] : [];
    });
    return arns.length === 0 ? [] : [allow(sid, SSM_READ, arns)];
  }
}
