/**
 * One line per item, kept current in a terminal: on a TTY the block of lines is redrawn in place
 * (at most every `intervalMs`); elsewhere (a log file, CI) a line is printed only when an item's
 * milestone changes (started, finished), so the output stays one line per event, not per cell.
 */
export class ProgressBoard {
  private lines: string[] = [];
  private milestones: string[] = [];
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stdout,
    private readonly intervalMs = 250,
  ) {}

  get tty(): boolean {
    return this.out.isTTY === true;
  }

  /** Set line `i`; `milestone` names its state for non-TTY output (printed when it changes). */
  set(i: number, line: string, milestone: string): void {
    this.lines[i] = line;
    if (!this.tty) {
      if (this.milestones[i] !== milestone) this.out.write(`${line}\n`);
      this.milestones[i] = milestone;
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.draw();
    }, this.intervalMs);
  }

  /** Draw now (TTY) and stop pending redraws. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.tty) this.draw();
  }

  private draw(): void {
    const up = this.drawn ? `\x1b[${this.drawn}A` : '';
    this.out.write(up + this.lines.map((l) => `\x1b[2K${l ?? ''}\n`).join(''));
    this.drawn = this.lines.length;
  }
}
