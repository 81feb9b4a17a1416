/**
 * Terminal helpers for the kata command: colours only when they can be seen, progress bars, and one
 * yes/no question.
 *
 * @module
 */
import readline from 'node:readline';

/** Colours for one output stream; every function is the identity when colours are off. */
export interface Palette {
  readonly enabled: boolean;
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
  cyan(text: string): string;
}

/**
 * Colours on a TTY only, and never with `NO_COLOR` set to a non-empty value (https://no-color.org).
 */
export function shouldColor(
  stream: { readonly isTTY?: boolean },
  environment: NodeJS.ProcessEnv = process.env,
): boolean {
  const noColor = environment['NO_COLOR'];
  if (noColor !== undefined && noColor !== '') return false;
  return stream.isTTY === true;
}

/** A palette that colours when `enabled` is true. */
export function palette(enabled: boolean): Palette {
  const wrap = (open: number, close: number) => (text: string) =>
    enabled ? `\x1b[${open}m${text}\x1b[${close}m` : text;
  return {
    enabled,
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    red: wrap(31, 39),
    dim: wrap(2, 22),
    bold: wrap(1, 22),
    cyan: wrap(36, 39),
  };
}

/** A bar of `width` cells, filled in proportion to `done / total`: `███░░░░░░░`. */
export function progressBar(done: number, total: number, width = 10): string {
  const filled = total <= 0 ? 0 : Math.round((Math.min(done, total) / total) * width);
  // A started exercise never looks empty, and an unfinished one never looks full.
  const cells = done > 0 && filled === 0 ? 1 : done < total && filled === width ? width - 1 : filled;
  return '█'.repeat(cells) + '░'.repeat(width - cells);
}

/**
 * Asks a yes/no question on the terminal; resolves true only for an explicit yes.
 * Call it only when stdin is a TTY.
 */
export async function askYesNo(question: string): Promise<boolean> {
  const prompt = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await new Promise<string>((resolve) => prompt.question(`${question} [y/N] `, resolve));
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}

/** Indents every line of `text` by `spaces`. */
export function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => (line === '' ? line : pad + line))
    .join('\n');
}
