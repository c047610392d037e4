/**
 * genbook: the course library. Each namespace mirrors part of the course; import by name from any
 * notebook: `import { backend, random, info } from 'genbook'`.
 */
import * as tf from '@tensorflow/tfjs';

export * as backend from './backend';
export * as random from './random';
export * as data from './data';
export { tf };

/** Quick mode (`GENBOOK_QUICK=1`): training cells use their small budgets (the tests use it). */
export function quickMode(env: Record<string, string | undefined> = process.env): boolean {
  const v = (env.GENBOOK_QUICK ?? '').trim().toLowerCase();
  return v !== '' && v !== '0' && v !== 'false' && v !== 'no';
}
