/**
 * Notebooks 01–04 (information theory, likelihood, PCA vs autoencoder, VAE/ELBO/VQ-VAE) run end to
 * end in quick mode on the genbook kernel with zero errors and no stderr, every formula check passes
 * (a "✓" line each, never a "✗"), and the lecture's numbers appear in the outputs.
 */
import { expect } from 'chai';
import { cleanRunTests, outputText } from './quick-runs';

const NOTEBOOKS = ['01-information-theory', '02-likelihood', '03-pca-vs-autoencoder', '04-vae-elbo'];

describe('notebooks 01–04 in quick mode (genbook kernel)', function () {
  this.timeout(1_200_000);
  const results = cleanRunTests(NOTEBOOKS, 3);

  it("01 reproduces the lecture's numbers: 54 parses, 2.58, 1.82, 2.69 bits, 0.60 and 1.47", () => {
    const text = outputText(results['01-information-theory']);
    expect(text).to.contain('54 ways to read 100110110');
    expect(text).to.match(/lecture's 2\.58: 2\.58 vs 2\.58/);
    expect(text).to.match(/= 1\.82: 1\.8199\d* vs 1\.82/);
    expect(text).to.match(/H rounded = 2\.69 bits: 2\.69 vs 2\.69/);
    expect(text).to.match(/entropy column sum \(rounded\) = 0\.60: 0\.6 vs 0\.6/);
    expect(text).to.match(/cross-entropy column sum \(rounded\) = 1\.47: 1\.47 vs 1\.47/);
  });

  it('04 checks the ELBO derivation and log p(x) = ELBO + KL on the 2-D VAE', () => {
    const text = outputText(results['04-vae-elbo']);
    expect(text).to.contain('closed forms: E_q[log p(x|z)] − KL(q‖p(z)) + KL(q‖p(z|x)) = log p(x)');
    expect(text).to.match(/image 0: log p\(x\) \(quadrature\) = ELBO \+ KL\(q‖p\(z\|x\)\)/);
  });

  it('04 states the IWAE bound before using it and checks L_1 < L_5 < L_50 ≤ log p(x) on the exact model', () => {
    const text = outputText(results['04-vae-elbo']);
    expect(text).to.contain('✓ L_1 (the ELBO) < L_5 < L_50 ≤ log p(x)');
    expect(text).to.contain('✓ the gap to log p(x) at K = 50 is below a quarter of the ELBO gap');
  });

  it("01's exercise reads the lecture's 20 storage bits 1620 ways with code 1", () => {
    expect(outputText(results['01-information-theory'])).to.match(/✓ readings of the 20 storage bits under code 1: 1620 vs 1620/);
  });
});
