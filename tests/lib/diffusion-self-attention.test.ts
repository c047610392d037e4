/**
 * The U-Net's optional self-attention block (DDPM's middle attention, Ho et al. 2020 App. B):
 * x + W_o softmax(Q Kᵀ/√c) V over GroupNorm(x)'s positions, checked against a plain-JS reference
 * written from the formula; identity at initialisation; a U-Net with it keeps the option and its
 * outputs through a checkpoint; a checkpoint saved before the option loads without it.
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { backend, models, random, tf } from 'genbook';

/** GroupNorm (γ = 1, β = 0), dense maps, softmax attention and the residual, in plain loops. */
function reference(x: number[][][][], W: Record<'q' | 'k' | 'v' | 'out', { kernel: number[][]; bias: number[] }>, groups: number): number[][][] {
  const out: number[][][] = [];
  for (const image of x) {
    const h = image.length, w = image[0].length, c = image[0][0].length, per = c / groups;
    const tokens: number[][] = [];
    for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) tokens.push([...image[i][j]]);
    const normed = tokens.map((t) => [...t]);
    for (let g = 0; g < groups; g++) {
      const values: number[] = [];
      for (const t of tokens) for (let ch = g * per; ch < (g + 1) * per; ch++) values.push(t[ch]);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
      for (const t of normed) for (let ch = g * per; ch < (g + 1) * per; ch++) t[ch] = (t[ch] - mean) / Math.sqrt(variance + 1e-5);
    }
    const affine = (m: { kernel: number[][]; bias: number[] }, t: number[]) => m.bias.map((b, o) => b + t.reduce((s, v, i) => s + v * m.kernel[i][o], 0));
    const q = normed.map((t) => affine(W.q, t)), k = normed.map((t) => affine(W.k, t)), v = normed.map((t) => affine(W.v, t));
    out.push(tokens.map((t, a) => {
      const scores = k.map((kb) => q[a].reduce((s, qa, i) => s + qa * kb[i], 0) / Math.sqrt(c));
      const top = Math.max(...scores);
      const e = scores.map((s) => Math.exp(s - top));
      const z = e.reduce((s, x) => s + x, 0);
      const attended = v[0].map((_, ch) => e.reduce((s, eb, b) => s + (eb / z) * v[b][ch], 0));
      const o = affine(W.out, attended);
      return t.map((x, ch) => x + o[ch]);
    }));
  }
  return out;
}

describe('diffusion U-Net: self-attention (DDPM App. B)', () => {
  before(async () => {
    await backend.setup('cpu', { log: null });
  });

  it('equals a plain-JS evaluation of x + W_o softmax(QKᵀ/√c) V on GroupNorm(x), and is the identity at initialisation', () => {
    const p = new models.ParameterStore(3);
    const x = random.rng(4).normalTensor([2, 3, 2, 8]) as tf.Tensor4D;
    const initial = models.selfAttention(p, 'attn', x, { groups: 4 });
    expect(tf.max(tf.abs(tf.sub(initial.out, x))).dataSync()[0], 'W_o starts at zero').to.equal(0);
    // give every weight a value (W_o included) and compare with the reference
    const rng = random.rng(5);
    for (const name of p.names().filter((n) => /\/(q|k|v|out)\//.test(n))) {
      const v = p.find(name);
      v.assign(rng.normalTensor(v.shape).mul(0.5));
    }
    const got = models.selfAttention(p, 'attn', x, { groups: 4 });
    const W = Object.fromEntries((['q', 'k', 'v', 'out'] as const).map((m) => [m, {
      kernel: p.find(`attn/${m}/kernel`).arraySync() as number[][],
      bias: p.find(`attn/${m}/bias`).arraySync() as number[],
    }])) as Parameters<typeof reference>[1];
    const expected = reference(x.arraySync() as number[][][][], W, 4);
    const flat = (got.out.reshape([2, 6, 8]).arraySync() as number[][][]).flat(2);
    const want = expected.flat(2);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(flat[i] - want[i]));
    expect(worst).to.be.below(1e-4);
    expect(got.weights.shape).to.deep.equal([2, 6, 6]);
    for (const s of tf.sum(got.weights, 2).dataSync()) expect(s).to.be.closeTo(1, 1e-5);
    tf.dispose([x, initial.out, initial.weights, got.out, got.weights]);
    p.dispose();
  });

  it('a U-Net with selfAttention has the block\'s parameters more, keeps the option through a checkpoint; older configs load without it', async () => {
    const size = { numClasses: 10, levelChannels: [8, 16], embeddingDim: 16 };
    const plain = new models.DiffusionUNet({ seed: 5, ...size });
    const net = new models.DiffusionUNet({ seed: 5, ...size, selfAttention: true });
    const c = 16;
    expect(net.parameterCount() - plain.parameterCount(), 'GroupNorm 2c + four dense maps c² + c').to.equal(2 * c + 4 * (c * c + c));
    expect(net.params.names().filter((n) => n.startsWith('mid/self/')).length).to.equal(10);
    for (const v of net.variables()) v.assign(tf.randomNormal(v.shape, 0, 0.2, 'float32', v.size));
    const x = random.rng(2).normalTensor([2, 28, 28, 1]);
    const a = net.apply(x, [10, 600], [1, 10]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-selfattn-'));
    try {
      await models.saveDiffusionCheckpoint(net, dir, { name: 'test', command: 'test' });
      const { network, meta } = models.loadDiffusionCheckpoint(dir);
      expect((meta.config as { selfAttention: boolean }).selfAttention).to.equal(true);
      const b = (network as models.DiffusionUNet).apply(x, [10, 600], [1, 10]);
      expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).to.be.below(1e-5);
      tf.dispose(b);
      network.dispose();
      // a config saved before the option existed has no selfAttention: the network has no block
      await models.saveDiffusionCheckpoint(plain, dir, { name: 'test', command: 'test' });
      const metaFile = path.join(dir, 'meta.json');
      const saved = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
      delete saved.config.selfAttention;
      fs.writeFileSync(metaFile, JSON.stringify(saved));
      const old = models.loadDiffusionCheckpoint(dir).network as models.DiffusionUNet;
      expect(old.config.selfAttention).to.equal(false);
      expect(old.parameterCount()).to.equal(plain.parameterCount());
      old.dispose();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      tf.dispose([x, a]);
      net.dispose();
      plain.dispose();
    }
  });
});
