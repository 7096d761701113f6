// The `axum` command: scriptable subcommands, and the terminal UI when run without one.
import { Command, CommanderError, Option } from 'commander';
import { AXUM_VERSION } from '@axum/protocol';
import { daemonStartCommand, daemonStatusCommand, daemonStopCommand } from './commands/daemon.js';
import { CliError, EXIT, type ExitCode } from './commands/exit-codes.js';
import { stdoutOutput, type GlobalOptions } from './commands/output.js';
import { statusCommand } from './commands/status.js';
import { cancelCommand, logsCommand, runCommand, runsCommand } from './commands/runs.js';
import { validateCommand } from './commands/validate.js';
import { initCommand } from './commands/init.js';

type Action = (options: GlobalOptions & Record<string, unknown>) => Promise<ExitCode>;

function buildProgram(run: (action: Action, command: Command) => Promise<void>): Command {
  const program = new Command('axum')
    .description('Local CI/CD for repositories that ship AI models: pipelines, releases, rollback to the last known good version.')
    .version(AXUM_VERSION, '-V, --version')
    .addOption(new Option('--repo <dir>', 'the repository (default: the git repository around the current folder)'))
    .addOption(new Option('--json', 'print one JSON document on stdout, nothing else'))
    .exitOverride()
    .showHelpAfterError('(run axum --help for usage)');

  program.action((_options, command: Command) =>
    run(async (options) => {
      const { tuiCommand } = await import('./commands/tui.js');
      return tuiCommand(options);
    }, command),
  );
  program
    .command('status')
    .description('daemon, environments and their live revision, active runs')
    .action((_options, command: Command) => run((options) => statusCommand(options, stdoutOutput), command));

  program
    .command('runs')
    .description('recent runs, newest first')
    .option('--limit <n>', 'how many', '20')
    .action((_options, command: Command) => run((options) => runsCommand(options, stdoutOutput), command));
  program
    .command('run')
    .description('queue a manual run of a branch head (default: the current branch) or a commit')
    .option('--branch <branch>', 'the branch whose head to run')
    .option('--commit <sha>', 'a commit to run')
    .option('--wait', 'wait for the run: exit 0 if it succeeded, 1 if not')
    .action((_options, command: Command) => run((options) => runCommand(options, stdoutOutput), command));
  program
    .command('logs')
    .description("a run's output as printed (masked), line by line")
    .argument('<run>', 'run id (run-12) or number (12)')
    .option('--step <name>', 'only this step (raw, without the step prefix)')
    .option('--follow', 'keep printing until the run ends')
    .action((runId: string, _options, command: Command) => run((options) => logsCommand(runId, options, stdoutOutput), command));
  program
    .command('cancel')
    .description('cancel a queued or running run (kills its process groups)')
    .argument('<run>', 'run id (run-12) or number (12)')
    .action((runId: string, _options, command: Command) => run((options) => cancelCommand(runId, options, stdoutOutput), command));
  program
    .command('validate')
    .description('check axum.yml: exit 2 with file:line:col on error (never starts a daemon)')
    .action((_options, command: Command) => run(async (options) => validateCommand(options, stdoutOutput), command));
  program
    .command('init')
    .description('write a commented starter axum.yml (never overwrites)')
    .action((_options, command: Command) => run(async (options) => initCommand(options, stdoutOutput), command));

  const daemon = program.command('daemon').description("manage this repository's daemon").exitOverride();
  daemon
    .command('start')
    .description('start the daemon (0 once it listens, also when it already runs; 3 if not up in 10 s)')
    .option('--listen <host:port>', 'also listen on loopback TCP, e.g. 127.0.0.1:7420 (same token)')
    .action((_options, command: Command) => run((options) => daemonStartCommand(options, stdoutOutput), command));
  daemon
    .command('stop')
    .description('stop the daemon gracefully; returns once it has exited')
    .action((_options, command: Command) => run((options) => daemonStopCommand(options, stdoutOutput), command));
  daemon
    .command('status')
    .description('0 when the daemon runs, 3 when it does not')
    .action((_options, command: Command) => run((options) => daemonStatusCommand(options, stdoutOutput), command));
  for (const sub of daemon.commands) sub.exitOverride();
  for (const sub of program.commands) sub.exitOverride();
  return program;
}

/** Runs the CLI and resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const run = async (action: Action, command: Command): Promise<void> => {
    const options = command.optsWithGlobals<GlobalOptions & Record<string, unknown>>();
    try {
      exitCode = await action(options);
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      if (options.json) process.stdout.write(`${JSON.stringify({ error: { message: err.message, exitCode: err.exitCode } })}\n`);
      process.stderr.write(`axum: ${err.message}\n`);
      exitCode = err.exitCode;
    }
  };
  try {
    await buildProgram(run).parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version are successes; every other parse failure is a usage error.
      return err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? EXIT.ok : EXIT.usage;
    }
    process.stderr.write(`axum: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
    return EXIT.failed;
  }
  return exitCode;
}

const exitCode = await main(process.argv);
process.exitCode = exitCode;
