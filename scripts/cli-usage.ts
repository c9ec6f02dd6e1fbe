import type { Command } from 'commander';

/**
 * Commander's usage errors, said in Vietnamese first and then in English, as every other refusal of
 * the project is, and without its "(Did you mean …?)" guess: the guess names commands and options
 * the user did not ask for, and a wrong guess reads as an instruction.
 */
const USAGE_ERRORS: ReadonlyArray<readonly [RegExp, (m: RegExpExecArray) => string]> = [
  [/^error: unknown command '(.*)'/, (m) => `lệnh '${m[1]}' không có; xem --help (unknown command '${m[1]}'; see --help)`],
  [/^error: unknown option '(.*?)'/, (m) => `tùy chọn '${m[1]}' không có; xem --help (unknown option '${m[1]}'; see --help)`],
  [/^error: required option '(.*)' not specified/, (m) => `thiếu tùy chọn bắt buộc '${m[1]}' (required option '${m[1]}' not specified)`],
  [/^error: option '(.*)' argument missing/, (m) => `tùy chọn '${m[1]}' cần một giá trị (option '${m[1]}' needs a value)`],
  [/^error: missing required argument '(.*)'/, (m) => `thiếu đối số bắt buộc '${m[1]}' (missing required argument '${m[1]}')`],
  [/^error: too many arguments(.*)/, (m) => `thừa đối số (too many arguments${m[1]})`],
];

/** The line commander writes for a usage error, in both languages; other text passes as it is. */
export function bilingualUsageError(text: string): string {
  for (const [pattern, say] of USAGE_ERRORS) {
    const match = pattern.exec(text);
    if (match) return `Lỗi: ${say(match)}.\n`;
  }
  return text;
}

/**
 * Sets `program` (and the commands added to it afterwards, which inherit it) to write its usage
 * errors through `bilingualUsageError`, to `writeError` when given, with no suggestion guessed.
 */
export function withBilingualUsage(program: Command, writeError: (text: string) => void = (text) => process.stderr.write(text)): Command {
  return program.showSuggestionAfterError(false).configureOutput({ outputError: (text) => writeError(bilingualUsageError(text)) });
}

/**
 * The first option given twice in `argv` (`--subgraph land --subgraph codes`), or null. Commander
 * keeps the last, the registry's routes the first: either way one of them is silently dropped.
 */
export function repeatedOption(argv: readonly string[]): string | null {
  const seen = new Set<string>();
  for (const arg of argv) {
    if (arg === '--') break;
    if (!arg.startsWith('--')) continue;
    const name = arg.split('=')[0] ?? arg;
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return null;
}

/** The usage error for an option given twice, in both languages. */
export function repeatedOptionError(name: string): string {
  return `Lỗi: tùy chọn '${name}' chỉ được nêu một lần (give '${name}' once).\n`;
}
