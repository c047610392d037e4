/**
 * The two pipes of a grading run carry newline-delimited JSON: runner → grader (RunnerEvents) and
 * host → runner (HostResponses). One reader for both: each complete line that parses as a JSON
 * object goes to `onMessage`, anything else is skipped (on the host's pipe the submission can write
 * too), and a line that grows past `maxBytes` without ending calls `onOverflow`.
 */
export function readJsonLines(stream: NodeJS.ReadableStream, maxBytes: number, onMessage: (message: Record<string, unknown>) => void, onOverflow: () => void): void {
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        continue;
      }
      if (typeof message === 'object' && message !== null && !Array.isArray(message)) onMessage(message as Record<string, unknown>);
    }
    if (buffer.length > maxBytes) onOverflow();
  });
}

/** The last `limit` characters of `tail + chunk` (the tails of a process's output kept for reports). */
export function appendTail(tail: string, chunk: string, limit = 8000): string {
  const s = tail + chunk;
  return s.length > limit ? s.slice(s.length - limit) : s;
}
