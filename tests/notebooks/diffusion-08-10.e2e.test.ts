/**
 * Notebooks 08 (DDPM), 09 (DDIM and guidance) and 10 (latent diffusion) run end to end in quick mode
 * on the genbook kernel with zero errors and no stderr, every formula check passes (a "✓" line
 * each, never a "✗"), and the key checks appear in the outputs. They load the diffusion checkpoints
 * in data/checkpoints (made by tools/scripts/train-diffusion.ts).
 */
import { expect } from 'chai';
import { cleanRunTests, outputText } from './quick-runs';

const NOTEBOOKS = ['08-diffusion-ddpm', '09-ddim-guidance', '10-latent-diffusion'];

describe('notebooks 08–10 in quick mode (genbook kernel)', function () {
  this.timeout(1_800_000);
  const results = cleanRunTests(NOTEBOOKS, 4);

  it('08 checks the schedules, the chain, the posterior and the loss identities', () => {
    const text = outputText(results['08-diffusion-ddpm']);
    expect(text).to.contain('✓ linear β_T = 0.02');
    expect(text).to.match(/✓ cosine ᾱ_500 = f\(t\)\/f\(0\)/);
    expect(text).to.match(/✓ t = 300: chain variance vs 1 − ᾱ_t/);
    expect(text).to.match(/✓ \(b\) residual variance vs β̃_t/);
    expect(text).to.match(/✓ σ² = β_t, t = 100: L_\{t−1\} vs λ_t‖ε − ε_θ‖² \+ C/);
    expect(text).to.contain('✓ training lowered the bound');
  });

  it('08 derives the split of the bound and runs Algorithms 1 and 2 as loops equal to the library on the same seed', () => {
    const text = outputText(results['08-diffusion-ddpm']);
    expect(text).to.contain('✓ log q(x_{1:T} | x_0) = log q(x_T | x_0) + Σ_{t≥2} log q(x_{t−1} | x_t, x_0) on one trajectory');
    expect(text).to.contain('✓ Algorithm 1 loop = diffusion.trainDiffusion: max |loss difference|');
    expect(text).to.contain('✓ Algorithm 1 loop = diffusion.trainDiffusion: max |weight difference| after 5 steps');
    expect(text).to.match(/✓ Algorithm 2 loop = diffusion\.ddpmSample: max \|x_0 difference\| over (16|64) points/);
  });

  it('09 checks ε* = −√(1 − ᾱ_t)·∇ log p(x_t) and runs the DDIM step and CFG Algorithm 2 as loops equal to the library', () => {
    const text = outputText(results['09-ddim-guidance']);
    expect(text).to.match(/✓ t = 300: max \|ε\*\(x_t, t\) \+ √\(1 − ᾱ_t\)·∇ log p\(x_t\)\|/);
    expect(text).to.contain('✓ DDIM loop = diffusion.ddimSample (S = 10, η = 0.5): max |x_0 difference|');
    expect(text).to.contain('✓ CFG Algorithm 2 loop = ddimSample + classifierFreeGuidance (w = 3, S = 5): max |x_0 difference|');
  });

  it('09 checks the DDIM marginals, σ(η = 1)² = β̃_t, determinism and the CFG combination', () => {
    const text = outputText(results['09-ddim-guidance']);
    expect(text).to.match(/✓ \(a\) t = 500 → 100, η = 0\.5: variance of x_s vs 1 − ᾱ_s/);
    expect(text).to.match(/✓ \(b\) t = 300: σ\(η = 1\)² vs β̃_t/);
    expect(text).to.match(/✓ \(c\) η = 0: two seeds, same x_T → identical samples/);
    expect(text).to.contain('✓ w = 0 is the conditional model');
  });

  it('10 checks cross-attention, the WebUI CFG scale = 1 + w, img2img strength and seeds', () => {
    const text = outputText(results['10-latent-diffusion']);
    expect(text).to.contain('✓ cross-attention block vs softmax(QKᵀ/√d)V by hand');
    expect(text).to.contain('✓ ε_u + s·(ε_c − ε_u) = (1 + w)·ε_c − w·ε_u with w = s − 1');
    expect(text).to.contain('✓ strength 0 returns the input (MSE 0)');
    expect(text).to.contain('✓ same seed and settings → the same images');
  });
});
