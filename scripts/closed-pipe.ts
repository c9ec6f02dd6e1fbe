/**
 * Lets a command's output be cut short by its reader (`… | head`): once the pipe is closed, the rest
 * is not written and the command ends quietly, instead of dying on an unhandled EPIPE with a stack.
 */
export function endQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}
