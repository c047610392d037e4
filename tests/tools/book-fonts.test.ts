/**
 * Hangul in the book on any machine: the book ships Noto Sans KR (assets/fonts, from
 * @fontsource/noto-sans-kr), so Korean terms render as letters, not as empty boxes, even where no
 * CJK font is installed (as on the Debian machine this was written on: `fc-list :lang=ko` is
 * empty). Checked in Debian's headless Chromium on the glossary page of a small book: the font that
 * really drew a Korean cell (DevTools' CSS.getPlatformFontsForNode) is the shipped Noto Sans KR, and
 * two different Korean words give different pixels (missing glyphs all draw the same box).
 * Screenshot: build/book-screenshots/korean-glossary.png.
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PNG } from 'pngjs';
import { Browser, chromium } from 'playwright-core';
import { buildBook } from '../../tools/src/book/build';
import { BookServer, serveBook } from '../../tools/src/book/serve';

const ROOT = path.resolve(__dirname, '..', '..');
const SHOTS = path.join(ROOT, 'build', 'book-screenshots');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

describe('book: Korean text in Chromium', function () {
  this.timeout(120_000);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-fonts-'));
  let server: BookServer;
  let browser: Browser;

  before(async () => {
    fs.mkdirSync(path.join(root, 'notebooks'), { recursive: true });
    fs.writeFileSync(
      path.join(root, 'notebooks', 'GLOSSARY.md'),
      '# 용어집 Glossary\n\n| 한국어 | English |\n| --- | --- |\n| <span id="w1">엔트로피</span> | entropy |\n| <span id="w2">정보이론</span> | information theory |\n| **확산 모델** | diffusion model |\n',
    );
    const book = await buildBook({ root, notebooks: [], homework: [] });
    server = await serveBook(book.outDir);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('draws Hangul with the shipped Noto Sans KR, regular and bold', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 500 } });
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    page.on('response', (r) => r.status() >= 400 && failed.push(`${r.status()} ${r.url()}`));
    await page.goto(`${server.url}glossary.html`, { waitUntil: 'load' });
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    expect(failed).to.deep.equal([]);
    const loaded = await page.evaluate(() => {
      const faces: string[] = [];
      document.fonts.forEach((f) => {
        if (f.status === 'loaded') faces.push(`${f.family.replace(/"/g, '')} ${f.weight}`);
      });
      return faces;
    });
    expect(loaded).to.include('Noto Sans KR 400');
    expect(loaded).to.include('Noto Sans KR 700');

    const cdp = await page.context().newCDPSession(page);
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    const { root: doc } = await cdp.send('DOM.getDocument');
    const usedFonts = async (selector: string): Promise<{ familyName: string; isCustomFont: boolean; glyphCount: number }[]> => {
      const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: doc.nodeId, selector });
      return (await cdp.send('CSS.getPlatformFontsForNode', { nodeId })).fonts;
    };
    // Fontsource's files are instances of the variable font; their name table says "Noto Sans KR Thin".
    const regular = await usedFonts('#w1');
    expect(regular.map((f) => [/^Noto Sans KR\b/.test(f.familyName), f.isCustomFont, f.glyphCount]), JSON.stringify(regular)).to.deep.equal([[true, true, 4]]);
    const bold = await usedFonts('strong');
    expect(bold.map((f) => [/^Noto Sans KR\b/.test(f.familyName), f.isCustomFont]), JSON.stringify(bold)).to.deep.equal([[true, true]]);
    expect(bold[0].glyphCount).to.equal(5); // 확산 모델: four syllables and the space

    const shot = async (selector: string): Promise<Buffer> => PNG.sync.read(await page.locator(selector).screenshot()).data;
    const [a, b] = [await shot('#w1'), await shot('#w2')];
    expect(a.length).to.equal(b.length); // same size: four syllables each
    expect(Buffer.compare(a, b), 'two different words must not draw the same pixels (tofu boxes would)').to.not.equal(0);

    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'korean-glossary.png') });
    await page.close();
  });
});
