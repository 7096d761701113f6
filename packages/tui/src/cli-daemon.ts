// `axum daemon start|stop|restart|logs|status`: the daemon's own group of the `axum` command. As in
// cli.ts, each command's module is imported only when that command runs.
import type { Command } from 'commander';
import { stdoutOutput } from './commands/output.js';
import type { RunAction } from './cli.js';

export function addDaemonCommands(program: Command, run: RunAction): void {
  const daemon = program.command('daemon').description("manage this repository's daemon").exitOverride();
  daemon
    .command('start')
    .description('start the daemon (0 once it listens, also when it already runs; 3 if not up in 10 s)')
    .option('--listen <host:port>', 'also listen on loopback TCP, e.g. 127.0.0.1:7420 (same token)')
    .action((_options, command: Command) => run(async (options) => (await import('./commands/daemon.js')).daemonStartCommand(options, stdoutOutput), command));
  daemon
    .command('stop')
    .description('stop the daemon gracefully; returns once it has exited (asks first when that interrupts a run, a deploy or a rollback)')
    .option('--yes', 'stop without asking, interrupting what runs (without a terminal it never asks: it stops and says what it interrupted)')
    .action((_options, command: Command) => run(async (options) => (await import('./commands/daemon.js')).daemonStopCommand(options, stdoutOutput), command));
  daemon
    .command('restart')
    .description('stop the daemon as stop does, then start it again (with its --listen); starts one when none runs')
    .option('--yes', 'restart without asking, interrupting what runs (without a terminal it never asks)')
    .action((_options, command: Command) => run(async (options) => (await import('./commands/daemon.js')).daemonRestartCommand(options, stdoutOutput), command));
  daemon
    .command('logs')
    .description("print the daemon's own log (.axum/daemon.log): its last lines, then with --follow what it writes next")
    .option('-n, --lines <n>', 'how many of the last lines (default 50)')
    .option('-f, --follow', 'go on printing new lines until Ctrl-C')
    .action((_options, command: Command) => run(async (options) => (await import('./commands/daemon-logs.js')).daemonLogsCommand(options, stdoutOutput), command));
  daemon
    .command('status')
    .description('0 when the daemon runs, 3 when it does not')
    .action((_options, command: Command) => run(async (options) => (await import('./commands/daemon.js')).daemonStatusCommand(options, stdoutOutput), command));
  for (const sub of daemon.commands) sub.exitOverride();
}
