/**
 * Homework notebooks call the student's functions through `attempt`, so that a function not
 * written yet (the stubs throw "not implemented yet") or one that throws shows a message in its
 * cell instead of stopping the whole notebook.
 *
 * @see notebooks/homework/hw01.ipynb (and every homework notebook)
 */
import { markdown, Markdown } from '../viz/text';

/** The message `attempt` shows for a thrown value: `**task** — Name: message` on one line. */
export function attemptMessage(task: string, error: unknown): Markdown {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return markdown(`**${task}** — ${message.replace(/\n/g, ' ')}`);
}

/**
 * Runs `run` and returns its value; if it throws, returns a Markdown message naming `task` and
 * the error (`**entropy** — Error: hw01: entropy is not implemented yet …`) instead. `run` is
 * synchronous, as the homework functions are.
 *
 * @param task the name the reader sees (usually the homework function's name)
 * @param run the code that calls the student's functions
 */
export function attempt<T>(task: string, run: () => T): T | Markdown {
  try {
    return run();
  } catch (e) {
    return attemptMessage(task, e);
  }
}
