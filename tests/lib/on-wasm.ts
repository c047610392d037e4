import { backend, tf } from 'genbook';

/** Inside a mocha `describe`: run its tests on the wasm backend and restore the previous one after. */
export function onWasmBackend(): void {
  let previous = '';
  before(async () => {
    previous = tf.getBackend();
    await backend.setup('wasm', { log: null });
  });
  after(async () => {
    if (previous) await tf.setBackend(previous);
  });
}
