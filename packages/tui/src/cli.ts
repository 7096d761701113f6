// The `axum` command: scriptable subcommands, and the terminal UI when run without one.
//
// Every invocation pays for what this module loads before it parses a word, so it loads only the
// parser and the words it prints itself: each command's module is imported when that command runs
// (`axum --version` loads no client, no schema; `axum status` no Ink, no React). Imports of
// ./commands/* in this file stay dynamic; bundle.mjs turns each into a chunk of the CLI bundle.
import { Command, CommanderError, Option } from 'commander';
import { AXUM_VERSION } from '@axum/protocol';
import { CliError, EXIT, type ExitCode } from './commands/exit-codes.js';
import { cleanParserMessage, commandPathOf, unknownCommandMessage } from './commands/usage.js';
import { stderrLine, stdoutOutput, type GlobalOptions } from './commands/output.js';
import { addDaemonCommands } from './cli-daemon.js';

export type Action = (options: GlobalOptions & Record<string, unknown>) => Promise<ExitCode>;
/** Runs a command's action: its options merged with the global ones, its errors said as main says them. */
export type RunAction = (action: Action, command: Command) => Promise<void>;

function buildProgram(run: RunAction, outputError: (text: string) => void): Command {
  const program = new Command('axum')
    // Before any subcommand exists: they copy it. Parser errors go through main (plain or --json).
    .configureOutput({ outputError: (text) => outputError(text) })
    .description('Local CI/CD for repositories that ship AI models: pipelines, releases, rollback to the last known good version.')
    .version(AXUM_VERSION, '-V, --version')
    .addOption(new Option('--repo <dir>', 'the repository (default: the git repository around the current folder)'))
    .addOption(new Option('--json', 'print one JSON document on stdout, nothing else'))
    .exitOverride();

  program.action((_options, command: Command) =>
    run(async (options) => {
      // A word that is no command lands here as an operand: say what it may have meant.
      const [word] = command.args;
      if (word !== undefined) throw new CliError(unknownCommandMessage(word, program.commands.map((c) => c.name())), EXIT.usage);
      const { tuiCommand } = await (await import('./commands/esm-half.js')).importTui();
      return tuiCommand(options);
    }, command),
  );
  program
    .command('status')
    .description('daemon, environments and their live revision, active runs')
    .argument('[env]', 'only this environment')
    .action((env: string | undefined, _options, command: Command) => run(async (options) => (await import('./commands/status.js')).statusCommand(options, stdoutOutput, env), command));

  program
    .command('runs')
    .description('recent runs, newest first')
    .option('--limit <n>', 'how many (default 20)')
    .option('--status <status>', 'only runs with this status: queued, running, succeeded, failed, cancelled, superseded, interrupted')
    .option('--branch <branch>', 'only runs of this branch')
    .action((_options, command: Command) => run(async (options) => (await import('./commands/runs-list.js')).runsCommand(options, stdoutOutput), command));
  program
    .command('run')
    .description('queue a manual run of a branch head (default: the current branch) or a commit')
    .option('--branch <branch>', 'the branch whose head to run')
    .option('--commit <rev>', 'a commit to run: a sha, a tag, a branch, HEAD~1 (resolved by git in this worktree)')
    .option('--wait', 'wait for the run: exit 0 if it succeeded, 1 if not')
    .option('--force', 'let it deploy a reused release that is marked bad')
    .option('--again', 'queue a new run even when one of that commit for that branch is queued, running or succeeded (else that run is the answer: build once, promote)')
    .option('--rebuild', 'run every stage even when the commit already has a release (else that release is reused: build once, promote); a new release, as a model trained again is another model')
    .action((_options, command: Command) => run(async (options) => (await import('./commands/runs.js')).runCommand(options, stdoutOutput), command));
  program
    .command('logs')
    .description("a run's output as printed (masked), line by line")
    .argument('<run>', 'run id (run-12) or number (12), or a revision ENV#N (production#7): its deploy, verify and monitor output')
    .option('--step <name>', 'only this step (raw, without the step prefix)')
    .option('-f, --follow', 'keep printing until the run ends')
    .action((runId: string, _options, command: Command) => run(async (options) => (await import('./commands/runs.js')).logsCommand(runId, options, stdoutOutput), command));
  program
    .command('cancel')
    .description('cancel a queued or running run (kills its process groups)')
    .argument('<run>', 'run id (run-12) or number (12)')
    .action((runId: string, _options, command: Command) => run(async (options) => (await import('./commands/runs.js')).cancelCommand(runId, options, stdoutOutput), command));
  program
    .command('history')
    .description("an environment's revisions, newest first")
    .argument('<env>', 'environment')
    .option('--at <time>', 'what was live at that time (UTC, as the tables print times, unless it names a zone)')
    .option('--limit <n>', 'only the newest N revisions (default: all)')
    .action((env: string, _options, command: Command) => run(async (options) => (await import('./commands/history.js')).historyCommand(env, options, stdoutOutput), command));
  program
    .command('rollback')
    .description('roll back to the last known good revision (or --to N), mark the release it leaves bad, verify, and pin')
    .argument('<env>', 'environment')
    .argument('[revision]', 'the revision to go back to, as Helm takes it (the same as --to)')
    .option('--to <revision>', 'the revision to go back to (default: last known good)')
    .option('--yes', 'confirm without asking (needed for protected environments without a terminal)')
    .option('--force', 'allow a target whose release is marked bad')
    .option('--wait', 'wait for verification (rollback always does: it answers once verified or failed)')
    .action((env: string, revision: string | undefined, _options, command: Command) =>
      run(async (options) => {
        if (revision !== undefined && options.to !== undefined && String(options.to) !== revision) throw new CliError(`two targets: ${revision} and --to ${String(options.to)}; name one`, EXIT.usage);
        const { rollbackCommand } = await import('./commands/environments.js');
        return rollbackCommand(env, revision !== undefined ? { ...options, to: revision } : options, stdoutOutput);
      }, command),
    );
  program
    .command('deploy')
    .description('deploy a release (or the release of a commit) by hand, and verify it')
    .argument('<env>', 'environment')
    .option('--release <id>', 'release id, e.g. rel-12 (or 12)')
    .option('--commit <rev>', 'the commit whose release to deploy: a sha, a tag, HEAD~1 (resolved by git in this worktree)')
    .option('--yes', 'confirm without asking')
    .option('--force', 'allow a release that is marked bad')
    .option('--again', 'deploy it as a new revision even when it is live there already (else nothing to do); alone, the live release once more')
    .option('--wait', 'wait for verification (deploy always does)')
    .action((env: string, _options, command: Command) => run(async (options) => (await import('./commands/environments.js')).deployCommand(env, options, stdoutOutput), command));
  program
    .command('approve')
    .description('deploy the release waiting for approval; on a paused environment, keep what serves and deploy what the pause held')
    .argument('<env>', 'environment')
    .option('--yes', 'confirm without asking')
    .option('--force', 'approve it even if it is marked bad')
    .action((env: string, _options, command: Command) => run(async (options) => (await import('./commands/approve.js')).approveCommand(env, options, stdoutOutput), command));
  program
    .command('pin')
    .description('keep the live revision: new commits build and test but do not deploy')
    .argument('<env>', 'environment')
    .option('--yes', 'accepted as by every changing command, for scripts that pass it everywhere (pinning never asks)')
    .action((env: string, _options, command: Command) => run(async (options) => (await import('./commands/environments.js')).pinCommand(env, true, options, stdoutOutput), command));
  program
    .command('unpin')
    .description('deploy the newest release the pin held back (asks first where protected), and let new commits deploy again')
    .argument('<env>', 'environment')
    .option('--yes', 'confirm without asking (needed for protected environments without a terminal)')
    .action((env: string, _options, command: Command) => run(async (options) => (await import('./commands/environments.js')).pinCommand(env, false, options, stdoutOutput), command));
  program
    .command('releases')
    .description('releases, newest first: commit, where each is live, where it was verified, bad marks, size')
    .option('--env <env>', 'only the releases deployed to this environment')
    .option('--limit <n>', 'only the newest N releases (default: all)')
    .action((_options, command: Command) => run(async (options) => (await import('./commands/releases.js')).releasesCommand(options, stdoutOutput), command));
  program
    .command('promote')
    .description("deploy FROM's live release to TO (the same bytes, no rebuild), and verify it")
    .argument('<from>', 'the environment whose live release to promote')
    .argument('<to>', 'the environment to deploy it to')
    .option('--yes', 'confirm without asking (needed for protected environments without a terminal)')
    .option('--force', 'allow a release that is marked bad')
    .option('--again', 'promote it as a new revision even when it is live in TO already (else nothing to do)')
    .action((from: string, to: string, _options, command: Command) => run(async (options) => (await import('./commands/releases.js')).promoteCommand(from, to, options, stdoutOutput), command));
  program
    .command('mark')
    .description('mark a release bad (nothing deploys it without --force), or good (clears its bad mark)')
    .argument('<release>', 'release id, e.g. rel-4 (or 4)')
    .argument('<mark>', 'good or bad')
    .option('--reason <text>', 'why (kept with the mark, shown by axum releases and axum history)')
    .option('--yes', 'confirm without asking (needed to mark bad a release live in a protected environment without a terminal)')
    .action((releaseId: string, mark: string, _options, command: Command) => run(async (options) => (await import('./commands/releases.js')).markCommand(releaseId, mark, options, stdoutOutput), command));
  program
    .command('fsck')
    .description("re-hash every release's stored files and folders, check every environment's current; corrupt releases are marked bad (exit 1)")
    .option('--rebuild', "first rebuild a lost release index from the release folders' manifests")
    .option('--repair', "put right what can be: a release folder's changed files from the store (the live one too), a lost stored file from a folder's intact copy")
    .action((_options, command: Command) => run(async (options) => (await import('./commands/fsck.js')).fsckCommand(options, stdoutOutput), command));
  program
    .command('backup')
    .description('back up .axum/ now to every backup.to target of axum.yml, folders and user@host:/path (only what the target lacks is sent)')
    .option('--take-over', "back up to a target that holds this repository's backups from before it was moved (its manifest names the old path); asks first")
    .option('--yes', 'take over without asking (needed for --take-over without a terminal)')
    .action((_options, command: Command) => run(async (options) => (await import('./commands/backup.js')).backupCommand(options, stdoutOutput), command));
  program
    .command('restore')
    .description('rebuild .axum/ from a backup (daemon stopped; the backup is verified by sha256 before anything is written)')
    .requiredOption('--from <target>', 'a backup.to target: a folder, or user@host:/path over ssh')
    .option('--snapshot <id>', 'restore this older backup (--list names them), not the newest')
    .option('--list', 'list the backups the target holds, newest first, and restore nothing')
    .action((_options, command: Command) => run(async (options) => (await import('./commands/backup.js')).restoreCommand(options, stdoutOutput), command));
  program
    .command('demo')
    .description('the whole story on an example model project: deploy, a bad model caught and rolled back, under load')
    .option('--headless', 'narrate in plain lines (also what happens when stdout is not a terminal)')
    .option('--dir <dir>', 'an empty folder for the example project (default: a temp folder)')
    .option('--keep', 'keep the folder afterwards')
    .action((_options, command: Command) => run(async (options) => (await (await import('./commands/esm-half.js')).importDemo()).demoCommand(options), command));
  program
    .command('validate')
    .description('check axum.yml: exit 2 with file:line:col on error (never starts a daemon)')
    .action((_options, command: Command) => run(async (options) => (await import('./commands/validate.js')).validateCommand(options, stdoutOutput), command));
  program
    .command('init')
    .description('write a commented starter axum.yml (never overwrites)')
    .action((_options, command: Command) => run(async (options) => (await import('./commands/init.js')).initCommand(options, stdoutOutput), command));

  addDaemonCommands(program, run);
  for (const sub of program.commands) sub.exitOverride();
  // Only the root: its operands are a mistyped command, answered in its action (subcommands keep their arity checks).
  program.allowExcessArguments(true);
  return program;
}

/**
 * The habits of git, helm and kubectl users, said the way commander reads them: `axum help
 * rollback` is `axum rollback --help`, `axum version` and `axum -v` are `axum --version`.
 */
export function habitualArgv(argv: readonly string[]): string[] {
  const [node = '', script = '', first, ...rest] = argv;
  if (first === 'help') return [node, script, ...rest, '--help'];
  if (first === 'version' || (first === '-v' && rest.length === 0)) return [node, script, '--version', ...rest];
  return [...argv];
}

/** A usage error, said once: the JSON document alone on stdout under --json, else a line on stderr (with `hint`). */
function usageError(message: string, json: boolean, hint = ''): number {
  if (json) process.stdout.write(`${JSON.stringify({ error: { message, exitCode: EXIT.usage } })}\n`);
  else stderrLine(`axum: ${message}${hint}`);
  return EXIT.usage;
}

/** Runs the CLI and resolves to the process exit code. */
export async function main(rawArgv: string[]): Promise<number> {
  const argv = habitualArgv(rawArgv);
  let exitCode: number = EXIT.ok;
  const json = argv.includes('--json');
  // `axum history staging | head -3`: a closed pipe ends the command quietly, not with an EPIPE trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(exitCode);
      throw err;
    });
  }
  let parserMessage: string | null = null;
  const outputError = (text: string) => {
    // Commander's own words ("error: …", then a help hint): kept for one line of ours.
    if (text.startsWith('error: ')) parserMessage ??= cleanParserMessage(text);
  };
  const run = async (action: Action, command: Command): Promise<void> => {
    const options = command.optsWithGlobals<GlobalOptions & Record<string, unknown>>();
    try {
      exitCode = await action(options);
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      if (options.json) process.stdout.write(`${JSON.stringify({ error: { message: err.message, exitCode: err.exitCode } })}\n`);
      // A usage error under --json is the document alone (a script reads stdout, a person typed no --json).
      if (!options.json || err.exitCode !== EXIT.usage) stderrLine(`axum: ${err.message}`);
      exitCode = err.exitCode;
    }
  };
  const program = buildProgram(run, outputError);
  const commands = program.commands.map((command) => command.name());
  // `axum help nonsense`: commander would print the general help and succeed.
  const [, , asked, topic] = rawArgv;
  if (asked === 'help' && topic !== undefined && !topic.startsWith('-') && !commands.includes(topic)) {
    return usageError(unknownCommandMessage(topic, commands), json);
  }
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version are successes; every other parse failure is a usage error.
      if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
      // The command the words typed name, so the hint is its own help (`axum deploy --help`).
      const groups = new Map(program.commands.map((c) => [c.name(), c.commands.map((sub) => sub.name())]));
      const path = commandPathOf(argv.slice(2), groups, new Set(['--repo']));
      const subcommands = path.length === 1 ? (groups.get(path[0]!) ?? []) : [];
      let message = parserMessage ?? cleanParserMessage(err.message);
      // A group (`axum daemon`) with no command, or one it does not have: the same words as a mistyped top-level command.
      if (err.code === 'commander.help' && subcommands.length > 0) message = `${path[0]} needs a command: ${subcommands.join(', ')}`;
      // A missing argument says what it takes (`'mark' (good or bad)`), as its help does.
      const missing = err.code === 'commander.missingArgument' ? /^missing required argument '([^']*)'/.exec(message) : null;
      const asked = missing ? program.commands.find((c) => c.name() === path[0]) : undefined;
      const described = asked?.registeredArguments.find((a) => a.name() === missing![1])?.description;
      if (described) message = `${message} (${described})`;
      const unknown = /^unknown command '([^']*)'/.exec(message);
      if (err.code === 'commander.unknownCommand' && unknown && subcommands.length > 0) message = unknownCommandMessage(unknown[1]!, subcommands, path[0]);
      // Commander has printed the group's help already (the commands are on screen), or the message names its help.
      const hint = err.code === 'commander.help' || /--help lists/.test(message) ? '' : ` (axum ${path.length > 0 ? `${path.join(' ')} ` : ''}--help for usage)`;
      return usageError(message, json, hint);
    }
    stderrLine(`axum: unexpected error: ${(err as Error).stack ?? String(err)}`);
    return EXIT.failed;
  }
  return exitCode;
}

// Not a top-level await: the bundle that runs this is CommonJS (bundle.mjs says why).
void main(process.argv).then((exitCode) => {
  process.exitCode = exitCode;
});
