/**
 * The flag parser the CLI and tools/scripts share (tools/src/util/flags.ts): each form of flag, the
 * key=value form of the experiment scripts, and the errors for unknown names and bad numbers.
 */
import { expect } from 'chai';
import { parseFlags, UsageError } from '../../tools/src/util/flags';

describe('parseFlags (tools/src/util/flags.ts)', () => {
  const spec = { steps: 'number', dir: 'string', resume: 'boolean' } as const;

  it('reads --name value, --name=value, switches and positionals', () => {
    const f = parseFlags(['ddpm-mnist', '--steps', '400', '--dir=out/x', '--resume', 'extra'], spec);
    expect(f).to.deep.equal({ _: ['ddpm-mnist', 'extra'], steps: 400, dir: 'out/x', resume: true });
    expect(parseFlags(['--steps=-1e-3'], spec).steps).to.equal(-0.001);
    expect(parseFlags(['--steps', '-2'], spec).steps).to.equal(-2);
  });

  it('leaves name=value as a positional unless asked to read assignments', () => {
    expect(parseFlags(['steps=600'], spec)._).to.deep.equal(['steps=600']);
    const f = parseFlags(['steps=600', 'dir=a=b', 'plain'], spec, { assignments: true });
    expect(f).to.deep.equal({ _: ['plain'], steps: 600, dir: 'a=b' });
  });

  it('refuses unknown names, missing values, values on switches and non-numbers, naming the flag', () => {
    expect(() => parseFlags(['--step', '3'], spec)).to.throw(UsageError, 'unknown option --step (options: --steps, --dir, --resume)');
    expect(() => parseFlags(['bogus=3'], spec, { assignments: true })).to.throw(UsageError, 'unknown option --bogus');
    expect(() => parseFlags(['--steps'], spec)).to.throw(UsageError, '--steps needs a value');
    expect(() => parseFlags(['--resume=yes'], spec)).to.throw(UsageError, '--resume takes no value');
    expect(() => parseFlags(['--steps', 'ten'], spec)).to.throw(UsageError, '--steps must be a number; got "ten"');
    expect(() => parseFlags(['steps=NaN'], spec, { assignments: true })).to.throw(UsageError, '--steps must be a number; got "NaN"');
  });
});
