import { BaseProvider } from '@aws-lambda-powertools/parameters/base';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';

/** One parameter as read: its decrypted value and its SSM type (`SecureString`, `String`, …). */
export interface ReadParameter {
  value: string;
  type: string;
}

/**
 * A Powertools Parameters provider that reads one SSM parameter at a time,
 * decrypted (GetParameter with WithDecryption). Caching, `maxAge` and
 * `forceFetch` are Powertools' own (BaseProvider). Not Powertools'
 * SSMProvider: its class also sends GetParameters, GetParametersByPath and
 * PutParameter, and a bundle cannot shed a class's unused methods, so every
 * Lambda that read one secret would carry, and need IAM grants for, calls
 * it never makes (infra/tests/iam-code.test.ts derives grants from what the
 * bundle holds). This one holds GetParameter only.
 *
 * `get` resolves to undefined when the parameter (or the version its name
 * selects) does not exist; other failures reject with Powertools'
 * GetParameterError, the SDK error as its `cause`.
 *
 * @example
 * const provider = new SecureStringProvider({ client: createSsmClient() });
 * const parameter = await provider.get('/rez/prod/session-key:3'); // { value, type } | undefined
 */
export class SecureStringProvider extends BaseProvider {
  constructor(options: { client: SSMClient }) {
    super({ awsSdkV3Client: options.client });
  }

  override get(name: string, options?: { maxAge?: number; forceFetch?: boolean }) {
    return super.get(name, options) as Promise<ReadParameter | undefined>;
  }

  protected async _get(name: string): Promise<ReadParameter | undefined> {
    try {
      const { Parameter } = await (this.client as SSMClient).send(
        new GetParameterCommand({ Name: name, WithDecryption: true }),
      );
      return Parameter ? { value: Parameter.Value ?? '', type: Parameter.Type ?? 'unknown' } : undefined;
    } catch (error) {
      // A missing parameter and a missing version of it are answers, not failures.
      if (isNamed(error, 'ParameterNotFound') || isNamed(error, 'ParameterVersionNotFound')) return undefined;
      throw error;
    }
  }

  protected async _getMultiple(path: string): Promise<undefined> {
    throw new Error(
      `SecureStringProvider reads one parameter at a time; getMultiple("${path}") is not offered`,
    );
  }
}

function isNamed(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}
