/** What a command may touch of the outside world; tests pass their own. */
export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdinIsTTY: boolean;
  readStdin(): Promise<string>;
  out(text: string): void;
  err(text: string): void;
  /** Resolves when the user asks the process to stop (SIGINT/SIGTERM), for long-running commands. */
  untilSignal(): Promise<NodeJS.Signals>;
}

export function processIo(): CliIo {
  return {
    env: process.env,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    async readStdin() {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    untilSignal: () =>
      new Promise((resolve) => {
        const done = (sig: NodeJS.Signals) => {
          process.off('SIGINT', done);
          process.off('SIGTERM', done);
          resolve(sig);
        };
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      }),
  };
}
