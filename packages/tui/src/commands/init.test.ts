import { describe, expect, it } from 'vitest';
import { missingBranchesLine } from './init.js';

describe('missingBranchesLine', () => {
  it("names the starter's branches the repository lacks, and where commits go now", () => {
    expect(missingBranchesLine(['main', 'develop', 'staging'], 'main')).toBeNull();
    expect(missingBranchesLine(['master'], 'master')).toBe('branches develop, staging, main do not exist yet (git branch develop), or edit the branch: of each environment in axum.yml; commits on master feed no environment');
    // An unborn main (no commit yet) is the branch HEAD is on: not missing.
    expect(missingBranchesLine([], 'main')).toBe('branches develop, staging do not exist yet (git branch develop), or edit the branch: of each environment in axum.yml');
    expect(missingBranchesLine(['main', 'develop'], 'main')).toBe('branch staging does not exist yet (git branch staging), or edit the branch: of each environment in axum.yml');
    expect(missingBranchesLine([], null)).toBeNull();
  });
});
