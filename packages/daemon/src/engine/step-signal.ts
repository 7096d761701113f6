// Why a step is stopped, for its runner: the run machine's signal carries the machine's own reason,
// the run's carries the daemon's (`shutdown`: the daemon is stopping, no person cancelled the run).

/** A signal that aborts with `machine`, giving the run's reason when the run was stopped. */
export function stepSignal(machine: AbortSignal, run: AbortSignal): AbortSignal {
  const step = new AbortController();
  const pass = () => step.abort(run.aborted ? run.reason : machine.reason);
  if (machine.aborted) pass();
  else machine.addEventListener('abort', pass, { once: true });
  return step.signal;
}
