import { openedOnFirstCall } from '../../src/on-first-call';

interface Greeter {
  greet(name: string): Promise<string>;
  count(): Promise<number>;
}

class Adapter implements Greeter {
  calls = 0;
  async greet(name: string) {
    this.calls++;
    return `hello ${name}`;
  }
  async count() {
    return this.calls;
  }
}

describe('Function: openedOnFirstCall', () => {
  it('opens nothing until a method is called, then opens once for concurrent calls', async () => {
    // Prepare
    const open = jest.fn(async () => new Adapter());
    const port = openedOnFirstCall<Greeter>(open, { greet: true, count: true });
    expect(open).not.toHaveBeenCalled();

    // Act
    const answers = await Promise.all([port.greet('a'), port.greet('b'), port.count()]);

    // Assess: arguments and the adapter's own state pass through
    expect(open).toHaveBeenCalledTimes(1);
    expect(answers[0]).toBe('hello a');
    expect(answers[1]).toBe('hello b');
    expect(await port.count()).toBe(2);
  });

  it('opens again on the next call after a failed open, and passes the failure on', async () => {
    // Prepare
    const open = jest.fn().mockRejectedValueOnce(new Error('chunk missing')).mockResolvedValue(new Adapter());
    const port = openedOnFirstCall<Greeter>(open, { greet: true, count: true });

    // Act + Assess
    await expect(port.greet('a')).rejects.toThrow('chunk missing');
    await expect(port.greet('b')).resolves.toBe('hello b');
    expect(open).toHaveBeenCalledTimes(2);
  });

  it('passes a method failure on without opening again', async () => {
    const adapter = new Adapter();
    adapter.greet = async () => {
      throw new Error('throttled');
    };
    const open = jest.fn(async () => adapter);
    const port = openedOnFirstCall<Greeter>(open, { greet: true, count: true });
    await expect(port.greet('a')).rejects.toThrow('throttled');
    await expect(port.count()).resolves.toBe(0);
    expect(open).toHaveBeenCalledTimes(1);
  });
});
