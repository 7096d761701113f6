// What an approval covers, said alike by the daemon (in the accepted revision's message), `axum
// approve` and the TUI's dialog: one environment. The same release promoted on is verified again
// where it goes, and its gates there decide — an approval never carries over.

/** `the approval holds for dev only: the next environment's gate is judged on its own`. */
export function approvalScopeText(env: string): string {
  return `the approval holds for ${env} only: the next environment's gate is judged on its own`;
}
