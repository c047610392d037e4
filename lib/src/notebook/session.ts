/**
 * The first and the last code cell of a lecture notebook: choose the TensorFlow.js backend, read
 * quick mode, start the clock; at the end, print the wall time and how many tensors are still
 * alive (a tensor leak shows as a number that grows from run to run).
 *
 * @see notebooks/02-likelihood … notebooks/12-systems-in-practice
 */
import * as tf from '@tensorflow/tfjs';
import { setup, SetupOptions, SetupResult, BackendName } from '../backend/setup';
import { quickModeEnv } from '../train/mode';

/** Options of `notebook.start`. */
export interface StartOptions extends SetupOptions {
  /** Force a backend (as `backend.setup(prefer)`); default: `GENBOOK_BACKEND`, else the first that works. */
  backend?: BackendName;
  /** Where `start` and `finish` print; `null` keeps quiet. Default: console.log. */
  log?: ((line: string) => void) | null;
  /** Clock in milliseconds (tests pass their own). Default: `performance.now`. */
  now?: () => number;
}

/** What `finish` measured. */
export interface FinishReport {
  /** Wall-clock seconds since `start`. */
  seconds: number;
  /** Tensors alive now (`tf.memory().numTensors`). */
  tensors: number;
  /** Tensors alive now minus those alive when the notebook started: what the notebook kept or leaked. */
  tensorsAdded: number;
  /** The line `finish` printed. */
  line: string;
}

/** A started notebook: its mode and backend, and `finish()` for its last cell. */
export class NotebookSession {
  constructor(
    /** Quick mode (`GENBOOK_QUICK=1`): training cells use their small budgets. */
    readonly quick: boolean,
    /** The backend `backend.setup` chose, and why. */
    readonly backend: SetupResult,
    /** `now()` when the notebook started (ms). */
    readonly startedAt: number,
    /** Tensors alive when the notebook started. */
    readonly tensorsAtStart: number,
    private readonly now: () => number,
    private readonly log: ((line: string) => void) | null,
  ) {}

  /** 'quick' or 'full'. */
  get mode(): 'quick' | 'full' {
    return this.quick ? 'quick' : 'full';
  }

  /** Wall-clock seconds since the notebook started. */
  seconds(): number {
    return (this.now() - this.startedAt) / 1000;
  }

  /**
   * The last cell: prints `notebook ran in 42 s (quick mode, backend wasm); 30 tensors alive, 30
   * more than at the start` and returns the numbers. Dispose what the notebook made before
   * calling it, so the count shows what leaked.
   */
  finish(): FinishReport {
    const seconds = this.seconds();
    const tensors = tf.memory().numTensors;
    const tensorsAdded = tensors - this.tensorsAtStart;
    const line = `notebook ran in ${seconds.toFixed(0)} s (${this.mode} mode, backend ${this.backend.name}); ${tensors} tensors alive, ${tensorsAdded} more than at the start`;
    if (this.log) this.log(line);
    return { seconds, tensors, tensorsAdded, line };
  }
}

/**
 * The first code cell of a notebook: `const session = await notebook.start();` chooses the backend
 * (`backend.setup`, which prints one line saying which and why), reads quick mode from
 * `GENBOOK_QUICK` and prints `quick mode: true|false`, and starts the clock and the tensor count
 * that `session.finish()` reports in the last cell.
 */
export async function start(options: StartOptions = {}): Promise<NotebookSession> {
  const { backend: prefer, now = () => performance.now(), ...setupOptions } = options;
  const log = options.log === undefined ? console.log : options.log;
  const startedAt = now();
  const chosen = await setup(prefer, setupOptions);
  const quick = quickModeEnv(options.env ?? process.env);
  if (log) log(`quick mode: ${quick}`);
  return new NotebookSession(quick, chosen, startedAt, tf.memory().numTensors, now, log);
}
