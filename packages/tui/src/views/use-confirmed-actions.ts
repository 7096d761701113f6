// What a confirmed key does on the daemon: the request, its outcome in the footer, a bad release's
// extra confirmation, and the pre-action diff a rollback's, approve's or promote's dialog shows.
import { useCallback, type MutableRefObject } from 'react';
import { ConnectionError } from '../client/daemon-connection.js';
import type { DaemonLink } from '../client/live-connection.js';
import { describePending, failureNotice, performAction, rollbackMarkNote } from '../state/actions.js';
import { diffLines } from '../state/diff-lines.js';
import { diffTarget } from '../state/diff-target.js';
import type { Confirm, PendingAction, TuiAction, TuiState } from '../state/tui-state.js';

export function useConfirmedActions(linkRef: MutableRefObject<DaemonLink | null>, stateRef: MutableRefObject<TuiState>, dispatch: (action: TuiAction) => void) {
  /** Sends a confirmed action to the daemon and reports the outcome in the footer. */
  const perform = useCallback(async (action: PendingAction) => {
    const link = linkRef.current;
    if (!link) return;
    dispatch({ type: 'notice', message: `${describePending(action)}…`, sticky: true });
    try {
      // Deploys and rollbacks verify before they answer: give them as long as a verify may take.
      // Read before the request: once it answers, what served is no longer what serves.
      const note = rollbackMarkNote(action, stateRef.current);
      const outcome = await performAction((method, params) => link.request(method, params, 60 * 60 * 1000), action);
      dispatch(/FAILED/.test(outcome) ? { type: 'notice', message: outcome, level: 'high' } : { type: 'notice', message: `${outcome}${note}` });
      // A mark changes no environment: the releases view (and the refusals it feeds) reload here.
      if (action.kind === 'mark' || action.kind === 'promote') {
        link.request('releases.list', {}).then(
          (releases) => dispatch({ type: 'releases.loaded', releases }),
          () => undefined,
        );
      }
    } catch (err) {
      const message = (err as Error).message;
      if ((action.kind === 'rollback' || action.kind === 'promote') && !action.force && /marked bad/.test(message)) {
        // A bad release needs an extra, explicit confirmation.
        const current = stateRef.current;
        const name = action.kind === 'rollback' ? action.env : action.to;
        const env = current.daemon?.environments.find((e) => e.name === name);
        dispatch({ type: 'confirm.open', confirm: { title: `${message}`, details: [action.kind === 'rollback' ? 'roll back to it anyway?' : `promote it to ${action.to} anyway?`], typed: env?.protected ? env.name : null, action: { ...action, force: true } } });
        return;
      }
      // The daemon's refusals are in its activity already; one that never reached it is this terminal's entry.
      const unanswered = err instanceof ConnectionError && (err.reason === 'timeout' || err.reason === 'closed');
      dispatch({ type: 'notice', message: failureNotice(message, unanswered), level: 'high', log: err instanceof ConnectionError || !linkRef.current });
    }
  }, []);

  /** Puts the pre-action diff (commits, config keys, artifacts, metrics) in front of a rollback's, an approve's or a promote's confirmation. */
  const withDiff = useCallback(async (confirm: Omit<Confirm, 'input'>) => {
    const action = confirm.action;
    const current = stateRef.current;
    const moves = diffTarget(action, current);
    if (!moves) return;
    const env = current.daemon?.environments.find((e) => e.name === moves.env);
    const target = moves.target;
    // What serves is what the diff starts from: the live release, or one that failed and serves on.
    const from = env?.live?.releaseId ?? env?.serving?.releaseId;
    if (!from || !target || !linkRef.current) {
      // Nothing serving to compare with: no diff to wait for.
      dispatch({ type: 'confirm.open', confirm: { ...confirm, details: [...confirm.details, '(no diff: nothing serves to compare with)'] } });
      return;
    }
    // Open at once, so keys typed while the diff loads go into the confirmation, not the view.
    dispatch({ type: 'confirm.open', confirm: { ...confirm, details: [...confirm.details, 'loading the diff…'] } });
    let details = confirm.details;
    let diff: string[] | undefined;
    try {
      // Kept apart from the details: the dialog shrinks the diff, never the question's own lines.
      diff = diffLines(await linkRef.current.request('releases.diff', { from, to: target, env: moves.env }));
    } catch (err) {
      details = [...confirm.details, `(no diff: ${(err as Error).message})`];
    }
    // Checked by the reducer, in order after the open: a diff refused at once (not connected) came
    // back before this component's copy of the state had the dialog, and the dialog said
    // "loading the diff…" for good.
    dispatch({ type: 'confirm.details', details, ...(diff ? { diff } : {}), forAction: action });
  }, []);

  return { perform, withDiff };
}
