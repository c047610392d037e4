/**
 * Notebooks 07 (autoregressive models and flows) and 11 (evaluation) run end to end in quick mode on
 * the genbook kernel with zero errors and no stderr, every formula check passes (a "✓" line each,
 * never a "✗"), and the key checks appear in the outputs.
 */
import { expect } from 'chai';
import { cleanRunTests, outputText } from './quick-runs';

const NOTEBOOKS = ['07-autoregressive-and-flows', '11-evaluation'];

describe('notebooks 07 and 11 in quick mode (genbook kernel)', function () {
  this.timeout(1_200_000);
  const results = cleanRunTests(NOTEBOOKS, 8);

  it('07 checks the chain rule, 2N − 1, the masks by gradients, and the change of variables', () => {
    const text = outputText(results['07-autoregressive-and-flows']);
    expect(text).to.contain('✓ number of diagonals of a 28×28 image = 2N − 1: 55 vs 55');
    expect(text).to.contain('✓ no gradient reaches the centre pixel or any later pixel');
    expect(text).to.contain('✓ the blind spot is not empty');
    expect(text).to.match(/✓ −log p\(x\) from one parallel pass = −Σᵢ log p\(xᵢ \| x_<i\) from 784 sequential passes/);
    expect(text).to.match(/✓ ∫ p_X\(x\) dx over the plane/);
  });

  it('11 checks IS = D × S, the exact IS cases, FID(A, A) = 0 and the Fréchet closed forms', () => {
    const text = outputText(results['11-evaluation']);
    expect(text).to.contain('✓ IS of confident predictions spread evenly over K classes = K');
    expect(text).to.match(/✓ IS \(all test images\) = D × S/);
    expect(text).to.match(/✓ IS = exp\(E_x KL/);
    expect(text).to.match(/✓ MNIST-FID\(A, A\) = 0/);
    expect(text).to.match(/✓ diagonal covariances/);
    expect(text).to.contain('results from data/results/');
  });
});
