import { ValidationError } from '@rez/core';
import { queueUrlFromArn } from '../../src';

const ARN = 'arn:aws:sqs:eu-central-1:123456789012:rez-dev-messages';

describe('Function: queueUrlFromArn', () => {
  it('builds the regional AWS URL when no endpoint is configured', () => {
    // Act / Assess
    expect(queueUrlFromArn(ARN, { env: {} })).toBe(
      'https://sqs.eu-central-1.amazonaws.com/123456789012/rez-dev-messages',
    );
  });

  it('uses the China domain for the aws-cn partition, and keeps a .fifo suffix', () => {
    // Act / Assess
    expect(queueUrlFromArn('arn:aws-cn:sqs:cn-north-1:123456789012:jobs.fifo', { env: {} })).toBe(
      'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/jobs.fifo',
    );
  });

  it('prefers an explicit endpoint, then AWS_ENDPOINT_URL_SQS, then AWS_ENDPOINT_URL', () => {
    // Prepare
    const env = { AWS_ENDPOINT_URL: 'http://all:4566', AWS_ENDPOINT_URL_SQS: 'http://sqs-only:4566/' };

    // Act / Assess
    expect(queueUrlFromArn(ARN, { env, endpoint: 'http://mine:1' })).toBe(
      'http://mine:1/123456789012/rez-dev-messages',
    );
    expect(queueUrlFromArn(ARN, { env })).toBe('http://sqs-only:4566/123456789012/rez-dev-messages');
    expect(queueUrlFromArn(ARN, { env: { AWS_ENDPOINT_URL: 'http://all:4566' } })).toBe(
      'http://all:4566/123456789012/rez-dev-messages',
    );
  });

  it('reads process.env when no env is given', () => {
    // Prepare
    const original = process.env;
    process.env = { ...original, AWS_ENDPOINT_URL_SQS: 'http://from-process:9' };

    try {
      // Act / Assess
      expect(queueUrlFromArn(ARN)).toBe('http://from-process:9/123456789012/rez-dev-messages');
    } finally {
      process.env = original;
    }
  });

  it('rejects what is not an SQS queue ARN, quoting it', () => {
    // Act / Assess
    expect(() => queueUrlFromArn('arn:aws:sns:eu-central-1:123456789012:topic', { env: {} })).toThrow(
      ValidationError,
    );
    expect(() => queueUrlFromArn('rez-dev-messages', { env: {} })).toThrow(/"rez-dev-messages" is not arn:/);
  });
});
