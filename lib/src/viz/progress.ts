/**
 * A progress bar for training loops that updates ONE output in place: step / total, a bar, the
 * latest loss values, speed and ETA. It never prints: the notebook shows it once
 * (`viz.show(bar)`, or `display(bar)` in the genbook kernel), and every `update` replaces that
 * output through its display id (Jupyter `update_display_data`), at most every `minIntervalMs`.
 * Outside a kernel, updates only change its state, so library loops can report anywhere.
 *
 * ```ts
 * const bar = viz.progress({ total: steps, label: 'VAE' });
 * viz.show(bar);
 * await train.trainLoop({ steps, step, onProgress: bar.onProgress });
 * ```
 *
 * @see notebooks/00-getting-started
 */
import { randomBytes } from 'crypto';
import { DISPLAY, DISPLAY_ID, type Displayable, type MimeBundle } from './protocol';
import { escapeHtml, formatDuration, formatNumber } from './format';
import { updateDisplay } from './show';

export interface ProgressOptions {
  /** Total number of steps (a positive integer). */
  total: number;
  /** A name shown before the bar. */
  label?: string;
  /** Minimum milliseconds between two output updates (default 200; the last step always updates). */
  minIntervalMs?: number;
  /** Milliseconds clock (default `performance.now`); tests pass a fake one. */
  clock?: () => number;
}

/**
 * One progress report, the shape `train.trainLoop` passes to `onProgress` (extra fields ignored).
 */
export interface ProgressReport {
  step: number;
  steps?: number;
  losses?: Readonly<Record<string, number>>;
  elapsedSeconds?: number;
  etaSeconds?: number;
}

/** The bar's state after the last update. */
export interface ProgressState {
  step: number;
  total: number;
  values: Readonly<Record<string, number>>;
  elapsedSeconds: number;
  /** Estimated seconds left (NaN before the first step). */
  etaSeconds: number;
  done: boolean;
}

/** A progress bar (see the module comment). */
export class ProgressBar implements Displayable {
  readonly displayId: string;
  readonly label: string | undefined;
  readonly [DISPLAY_ID]: string;
  private total: number;
  private step = 0;
  private values: Record<string, number> = {};
  private elapsed = 0;
  private eta = NaN;
  private readonly start: number;
  private lastPush = -Infinity;
  private readonly minIntervalMs: number;
  private readonly clock: () => number;

  constructor(options: ProgressOptions) {
    const { total, label, minIntervalMs = 200, clock = () => performance.now() } = options;
    if (!Number.isInteger(total) || total < 1) throw new RangeError(`total must be a positive integer; got ${total}`);
    if (!(minIntervalMs >= 0)) throw new RangeError(`minIntervalMs must be ≥ 0; got ${minIntervalMs}`);
    this.total = total;
    this.label = label;
    this.minIntervalMs = minIntervalMs;
    this.clock = clock;
    this.start = clock();
    this.displayId = `genbook-progress-${randomBytes(8).toString('hex')}`;
    this[DISPLAY_ID] = this.displayId;
  }

  /**
   * Record progress: `step` steps done (0…total) and the latest values (losses). Updates the shown
   * output unless one was sent less than `minIntervalMs` ago (the final step always goes out).
   * Returns nothing, so a cell ending with `bar.update(…)` prints nothing.
   */
  update(step: number, values: Readonly<Record<string, number>> = {}, timing: { elapsedSeconds?: number; etaSeconds?: number } = {}): void {
    if (!Number.isFinite(step) || step < 0) throw new RangeError(`step must be a finite number ≥ 0; got ${step}`);
    this.step = Math.min(step, this.total);
    this.values = { ...this.values, ...values };
    const now = this.clock();
    this.elapsed = timing.elapsedSeconds ?? (now - this.start) / 1000;
    this.eta = timing.etaSeconds ?? (this.step > 0 ? (this.elapsed / this.step) * (this.total - this.step) : NaN);
    const last = this.step >= this.total;
    if (!last && now - this.lastPush < this.minIntervalMs) return;
    this.lastPush = now;
    updateDisplay(this, this.displayId);
  }

  /** A callback for library training loops: `trainLoop({ …, onProgress: bar.onProgress })`. */
  readonly onProgress = (report: ProgressReport): void => {
    if (report.steps !== undefined && Number.isInteger(report.steps) && report.steps > 0) this.total = report.steps;
    this.update(report.step, report.losses ?? {}, { elapsedSeconds: report.elapsedSeconds, etaSeconds: report.etaSeconds });
  };

  /** Mark the bar complete (step = total) and update the output. */
  finish(values: Readonly<Record<string, number>> = {}): void {
    this.update(this.total, values);
  }

  /** The current state. */
  get state(): ProgressState {
    return { step: this.step, total: this.total, values: { ...this.values }, elapsedSeconds: this.elapsed, etaSeconds: this.eta, done: this.step >= this.total };
  }

  private fraction(): number {
    return this.step / this.total;
  }

  private details(): string[] {
    const out = Object.entries(this.values).map(([k, v]) => `${k} ${formatNumber(v, 4)}`);
    if (this.step >= this.total) out.push(`done in ${formatDuration(this.elapsed)}`);
    else if (this.step > 0) {
      const rate = this.step / Math.max(this.elapsed, 1e-9);
      out.push(`${formatNumber(rate, 3)} steps/s`, `ETA ${formatDuration(this.eta)}`);
    }
    return out;
  }

  /** One line of text: `label [#####.....] 120/500 24% · loss 0.1234 · ETA 0:12`. */
  text(): string {
    const width = 24;
    const filled = Math.round(this.fraction() * width);
    const pct = Math.floor(this.fraction() * 100);
    return [
      `${this.label ? this.label + ' ' : ''}[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.step}/${this.total} ${pct}%`,
      ...this.details(),
    ].join(' · ');
  }

  /** The HTML bar. */
  html(): string {
    const pct = (this.fraction() * 100).toFixed(1);
    const done = this.step >= this.total;
    const color = done ? '#2e9b47' : '#3b76d6';
    return (
      '<div class="genbook-progress" style="display:flex;align-items:center;gap:10px;font-family:monospace;font-size:13px">' +
      (this.label ? `<span style="font-weight:600">${escapeHtml(this.label)}</span>` : '') +
      `<div style="width:240px;height:12px;background:rgba(128,128,128,0.25);border-radius:3px;overflow:hidden">` +
      `<div style="width:${pct}%;height:100%;background:${color}"></div></div>` +
      `<span>${this.step}/${this.total} (${Math.floor(this.fraction() * 100)}%)</span>` +
      `<span style="opacity:0.85">${escapeHtml(this.details().join(' · '))}</span></div>`
    );
  }

  [DISPLAY](): MimeBundle {
    return { 'text/html': this.html(), 'text/plain': this.text() };
  }
}

/** A new progress bar; `viz.progress(500)` is `viz.progress({ total: 500 })`. */
export function progress(options: ProgressOptions | number): ProgressBar {
  return new ProgressBar(typeof options === 'number' ? { total: options } : options);
}
