/**
 * Exact resume of Algorithm 1 (diffusion/trainer.ts `resume`, train/optimizer-state.ts): 6 steps in
 * one run against 3 steps, a saved state and 3 more — the same weights, EMA and losses, bit for bit.
 */
import { expect } from 'chai';
import { backend, diffusion, models, random, tf } from 'genbook';

describe('diffusion training: exact resume', () => {
  before(async () => {
    await backend.setup('cpu', { log: null });
  });

  const schedule = diffusion.noiseSchedule('linear', 50, { betaEnd: 0.1 });
  const rng = random.rng(4);
  const points = Float32Array.from(rng.normals(400, 0, 0.3));
  const labels = Int32Array.from({ length: 200 }, (_, i) => i % 2);
  const common = { schedule, data: diffusion.arrayBatches(points, [2], labels), batchSize: 16, seed: 9, learningRate: 3e-3, pUncond: 0.2, emaDecay: 0.9 };
  const flat = (net: models.DiffusionMlp) => net.variables().map((v) => Array.from(v.dataSync()));

  it('3 steps + state + 3 steps equal 6 steps: weights, EMA and losses', async () => {
    const whole = new models.DiffusionMlp({ seed: 1, hiddenUnits: 16, layers: 2, numClasses: 2 });
    const a = await diffusion.trainDiffusion({ ...common, network: whole, steps: 6 });

    const first = new models.DiffusionMlp({ seed: 1, hiddenUnits: 16, layers: 2, numClasses: 2 });
    let saved: diffusion.DiffusionTrainerState | undefined;
    const b1 = await diffusion.trainDiffusion({
      ...common,
      network: first,
      steps: 3,
      onCheckpoint: async (_step, _ema, _losses, state) => {
        saved = await state();
      },
    });
    // a new process: a fresh network given the first one's raw weights, and the saved state
    const second = new models.DiffusionMlp({ seed: 123, hiddenUnits: 16, layers: 2, numClasses: 2 });
    second.variables().forEach((v, i) => v.assign(first.variables()[i]));
    const numTensors = tf.memory().numTensors;
    const b2 = await diffusion.trainDiffusion({ ...common, seed: 555, network: second, steps: 3, resume: saved! });
    expect([...b1.losses, ...b2.losses]).to.deep.equal(a.losses);
    expect(flat(second)).to.deep.equal(flat(whole));
    expect(b2.ema!.values().map((v) => Array.from(v.dataSync()))).to.deep.equal(a.ema!.values().map((v) => Array.from(v.dataSync())));
    expect(b2.ema!.count).to.equal(6);
    // the resumed run owns only its EMA (returned) beyond what it was given
    b2.ema!.dispose();
    expect(tf.memory().numTensors).to.equal(numTensors);
    tf.dispose(Object.values(saved!.tensors));
    [a.ema, b1.ema].forEach((e) => e?.dispose());
    [whole, first, second].forEach((n) => n.dispose());
  });

  it('refuses a state whose EMA setting differs', async () => {
    const net = new models.DiffusionMlp({ seed: 1, hiddenUnits: 8, layers: 1, numClasses: 2 });
    let saved: diffusion.DiffusionTrainerState | undefined;
    const r = await diffusion.trainDiffusion({ ...common, network: net, steps: 1, emaDecay: 0, onCheckpoint: async (_s, _e, _l, state) => void (saved = await state()) });
    expect(r.ema).to.equal(null);
    let error: unknown;
    try {
      await diffusion.trainDiffusion({ ...common, network: net, steps: 1, resume: saved! });
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(/the saved state has no EMA; this training keeps EMA/);
    tf.dispose(Object.values(saved!.tensors));
    net.dispose();
  });
});

describe('diffusion training: input perturbation (DDPM-IP) and Min-SNR-γ weights', () => {
  before(async () => {
    await backend.setup('cpu', { log: null });
  });

  /** An ε-network that records what it is fed (around x_0 = 0) and predicts 0 + a trainable bias. */
  class Spy implements diffusion.DiffusionNetwork {
    readonly numClasses = 0;
    readonly nullLabel = 0;
    readonly bias = tf.variable(tf.zeros([4]), true, `spy-bias-${Math.random()}`);
    readonly seen: { x: Float32Array; t: number[] }[] = [];
    apply(xt: tf.Tensor, t: ArrayLike<number>): tf.Tensor {
      this.seen.push({ x: xt.dataSync() as Float32Array, t: Array.from(t) });
      return tf.add(tf.mul(xt, 0), this.bias);
    }
    variables(): tf.Variable[] {
      return [this.bias];
    }
  }

  const schedule = diffusion.noiseSchedule('linear', 20, { betaEnd: 0.2 });
  const zeros = new Float32Array(4 * 64);
  const common = { schedule, data: diffusion.arrayBatches(zeros, [4]), batchSize: 64, seed: 3, steps: 40, emaDecay: 0, learningRate: 1e-9 };
  /** The mean of x_t² / (1 − ᾱ_t) over every input the network saw (x_0 = 0): 1 + γ² in expectation. */
  const scaledVariance = (spy: Spy): { value: number; n: number } => {
    let sum = 0;
    let n = 0;
    for (const { x, t } of spy.seen) {
      x.forEach((v, i) => {
        sum += v * v / (1 - schedule.alphaBar(t[Math.floor(i / 4)]));
        n++;
      });
    }
    return { value: sum / n, n };
  };

  it('γ = 0.5 feeds inputs of variance (1 − ᾱ_t)(1 + γ²), γ = 0 of 1 − ᾱ_t; the loss target stays ε', async () => {
    const plain = new Spy();
    const a = await diffusion.trainDiffusion({ ...common, network: plain });
    const perturbed = new Spy();
    const b = await diffusion.trainDiffusion({ ...common, network: perturbed, inputPerturbation: 0.5 });
    const va = scaledVariance(plain);
    const vb = scaledVariance(perturbed);
    expect(va.n).to.equal(40 * 64 * 4);
    expect(va.value).to.be.closeTo(1, 4 * Math.sqrt(2 / va.n));
    expect(vb.value).to.be.closeTo(1.25, 4 * 1.25 * Math.sqrt(2 / vb.n));
    // the target is ε, not ε + γξ: with a prediction of ≈ 0, L_simple ≈ E[ε²] = 1 for both
    const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
    expect(mean(a.losses)).to.be.closeTo(1, 0.05);
    expect(mean(b.losses)).to.be.closeTo(1, 0.05);
    [plain, perturbed].forEach((s) => s.bias.dispose());
  });

  it('Min-SNR-γ: each step\'s loss is (1/B)·Σ_i w_i·mean(ε_i²) with w_i = min(SNR, 5)/SNR, rebuilt from what the network saw', async () => {
    for (const minSnrGamma of [0, 5]) {
      const spy = new Spy();
      const r = await diffusion.trainDiffusion({ ...common, steps: 5, network: spy, minSnrGamma });
      expect(spy.seen).to.have.length(5);
      spy.seen.forEach(({ x, t }, step) => {
        // x_0 = 0 and the prediction is the bias (≈ 0 at lr 1e-9): ε_i = x_t,i/√(1 − ᾱ_t)
        let sum = 0;
        t.forEach((ti, i) => {
          const snr = schedule.snr(ti);
          const w = minSnrGamma > 0 ? Math.min(snr, minSnrGamma) / snr : 1;
          let sq = 0;
          for (let d = 0; d < 4; d++) sq += x[i * 4 + d] ** 2 / (1 - schedule.alphaBar(ti));
          sum += (w * sq) / 4;
        });
        expect(r.losses[step], `γ ${minSnrGamma}, step ${step}`).to.be.closeTo(sum / t.length, 1e-4 * (sum / t.length));
      });
      if (minSnrGamma > 0) expect(spy.seen.some(({ t }) => t.some((ti) => schedule.snr(ti) > 5))).to.equal(true); // some weights < 1 were used
      spy.bias.dispose();
    }
  });

  it('refuses a negative or infinite γ (input perturbation and Min-SNR)', async () => {
    for (const [option, pattern] of [['inputPerturbation', /inputPerturbation must be a finite number >= 0/], ['minSnrGamma', /minSnrGamma must be a finite number >= 0/]] as const) {
      for (const g of [-0.1, Infinity, NaN]) {
        let error: unknown;
        const spy = new Spy();
        try {
          await diffusion.trainDiffusion({ ...common, network: spy, [option]: g });
        } catch (e) {
          error = e;
        }
        spy.bias.dispose();
        expect(error, `${option} ${g}`).to.be.instanceOf(RangeError);
        expect((error as Error).message).to.match(pattern);
      }
    }
  });
});
