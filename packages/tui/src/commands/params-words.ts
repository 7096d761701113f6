// A request the daemon refused as malformed names the request's own fields (`params.releaseId: Too
// big: expected string to have <=64 characters`): said here as the user typed them instead.

/** The word on the command line for each request field a person fills in. */
const TYPED: Record<string, string> = {
  releaseId: 'the release id',
  reason: '--reason',
  branch: '--branch',
  commit: '--commit',
  runId: 'the run',
  env: 'the environment name',
  from: 'the environment name',
  to: '--to',
  step: '--step',
  limit: '--limit',
  by: 'your user name',
};

/** `params.reason: Too big: expected string to have <=500 characters` → `--reason: at most 500 characters` (a number's bound: `--limit: at most 10000`; an empty one: `the run: empty: name one`); other text as it is. */
export function paramsProblemText(message: string): string {
  return message
    .split('; ')
    .map((part) => {
      const match = /^params\.([A-Za-z]+): (.*)$/s.exec(part);
      if (!match) return part;
      const [, field, problem] = match as unknown as [string, string, string];
      const bound = /^Too (big|small): expected (string|number) to (?:have|be) (<=|>=)(\d+)(?: characters?)?$/.exec(problem);
      const words = !bound ? problem : bound[2] === 'number' ? `${bound[1] === 'big' ? 'at most' : 'at least'} ${bound[4]}` : bound[1] === 'small' && bound[4] === '1' ? 'empty: name one' : `${bound[1] === 'big' ? 'at most' : 'at least'} ${bound[4]} characters`;
      return `${Object.hasOwn(TYPED, field) ? TYPED[field] : field}: ${words}`;
    })
    .join('; ');
}
