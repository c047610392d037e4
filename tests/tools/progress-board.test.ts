/**
 * The terminal lines of `npm start`: one per notebook. On a terminal the block is redrawn in place
 * (cursor up over the lines drawn before, each line cleared); in a log only a change of state
 * (queued → running → done) prints a line, not every cell.
 */
import { expect } from 'chai';
import { ProgressBoard } from '../../tools/src/util/progress-board';

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = { isTTY, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

describe('progress board (npm start terminal lines)', () => {
  it('in a log: one line per change of state, none per cell', () => {
    const { stream, written } = fakeStream(false);
    const board = new ProgressBoard(stream);
    board.set(0, 'a.ipynb queued', 'queued');
    board.set(1, 'b.ipynb queued', 'queued');
    board.set(0, 'a.ipynb cell 0/3', 'running');
    board.set(0, 'a.ipynb cell 1/3', 'running');
    board.set(0, 'a.ipynb cell 2/3', 'running');
    board.set(0, 'a.ipynb ready', 'done');
    board.flush();
    expect(written).to.deep.equal(['a.ipynb queued\n', 'b.ipynb queued\n', 'a.ipynb cell 0/3\n', 'a.ipynb ready\n']);
  });

  it('on a terminal: redraws the block in place, the newest text of every line', () => {
    const { stream, written } = fakeStream(true);
    const board = new ProgressBoard(stream, 10_000);
    board.set(0, 'a 0/3', 'running');
    board.set(1, 'b queued', 'queued');
    board.flush();
    board.set(0, 'a 1/3', 'running');
    board.set(0, 'a 2/3', 'running');
    board.flush();
    expect(written).to.deep.equal(['\x1b[2Ka 0/3\n\x1b[2Kb queued\n', '\x1b[2A\x1b[2Ka 2/3\n\x1b[2Kb queued\n']);
  });
});
