/**
 * Notebooks 05 (GAN minimax, DCGAN, WGAN-GP) and 06 (conditional and image-to-image GANs) run end
 * to end in quick mode with zero errors and no stderr, every formula check passes, and the shipped
 * conditional checkpoints are measured by the course classifier (an independent network).
 */
import { expect } from 'chai';
import { cleanRunTests, outputText } from './quick-runs';

const NOTEBOOKS = ['05-gan-minimax', '06-conditional-gans'];

describe('notebooks 05–06 in quick mode (genbook kernel)', function () {
  this.timeout(1_200_000);
  const results = cleanRunTests(NOTEBOOKS, 8);

  it('05 runs GAN Algorithm 1 as a visible loop and gets exactly what gan.GanTrainer gets on the same seed', () => {
    const text = outputText(results['05-gan-minimax']);
    expect(text).to.match(/✓ GAN Algorithm 1 loop = gan\.GanTrainer: max \|D weight difference\| after 4 iterations/);
    expect(text).to.match(/✓ GAN Algorithm 1 loop = gan\.GanTrainer: max \|G weight difference\| after 4 iterations/);
  });

  it('06 checks the cGAN value function, the AC-GAN objective, pix2pix, CycleGAN and StarGAN losses by hand', () => {
    const text = outputText(results['06-conditional-gans']);
    expect(text).to.match(/✓ V\(D, G\) on a minibatch = −discriminatorLoss/);
    expect(text).to.match(/✓ −\(L_S \+ L_C\) by hand = acganDiscriminatorLoss/);
    expect(text).to.match(/✓ first step: generator loss = adversarial \+ 100 · L1/);
    expect(text).to.match(/✓ λ = 10: L_cyc by hand = cycleLoss\(\)/);
    expect(text).to.match(/✓ L_G = L_GAN \+ 1·L_cls\^f \+ 10·L_rec/);
  });

  it('06: the shipped AC-GAN draws the asked digit (course classifier, 500 samples) far more often than the cGAN', () => {
    const text = outputText(results['06-conditional-gans']);
    const m = /conditional accuracy of the AC-GAN: ([\d.]+) % over 500 samples \(cGAN: ([\d.]+) %\)/.exec(text);
    expect(m, 'no AC-GAN accuracy line').to.not.equal(null);
    const [acgan, cgan] = [Number(m![1]), Number(m![2])];
    expect(acgan).to.be.at.least(90);
    expect(acgan).to.be.above(cgan + 10);
  });
});
