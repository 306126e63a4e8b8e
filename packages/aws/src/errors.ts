import { AdapterError, RezError } from '@rez/core';

/**
 * A conditional write kept losing to concurrent writers of the same message
 * (optimistic locking on `attempts`). Transient: the delivery may be retried.
 */
export class StoreConflictError extends RezError {
  constructor(
    readonly messageId: string,
    operation: string,
    tries: number,
  ) {
    super(
      `DynamoDB ${operation} of message ${messageId} lost to concurrent writers ${tries} times in a row; giving up for now`,
      { code: 'STORE_CONFLICT', permanent: false, context: { messageId, operation, tries } },
    );
  }
}

/**
 * Runs one AWS call: a Rez error passes through as it is, anything else (the
 * SDK's) becomes an AdapterError naming the service and the operation.
 */
export async function adapterCall<T>(service: string, operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof RezError) throw error;
    throw new AdapterError(service, operation, error);
  }
}

/**
 * Runs one DynamoDB conditional write: true when written, false when its
 * condition failed (ConditionalCheckFailedException); any other failure
 * becomes an AdapterError naming the operation.
 */
export async function conditionalWrite(operation: string, run: () => Promise<unknown>): Promise<boolean> {
  try {
    await run();
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
    throw new AdapterError('DynamoDB', operation, error);
  }
}

/**
 * A secret a Lambda needs could not be read from SSM Parameter Store. Names
 * the parameter and the environment variable that named it. `permanent` when
 * another try cannot help (no such parameter, not a SecureString, empty);
 * a throttled or failed call is transient.
 */
export class SecretParameterError extends RezError {
  constructor(
    readonly variable: string,
    readonly parameter: string,
    problem: string,
    options: { permanent: boolean; cause?: unknown },
  ) {
    super(`secret from SSM: parameter "${parameter}" (named by ${variable}) ${problem}`, {
      code: 'SECRET_UNREADABLE',
      permanent: options.permanent,
      cause: options.cause,
      context: { variable, parameter },
    });
  }
}
