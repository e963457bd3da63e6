/** Progress lines for a person at a terminal: elapsed time and what is happening, on stderr so stdout stays data. */
export function createProgress(stream: NodeJS.WritableStream = process.stderr): (line: string) => void {
  const started = Date.now();
  return (line) => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
    stream.write(`[${seconds}s] ${line}\n`);
  };
}
