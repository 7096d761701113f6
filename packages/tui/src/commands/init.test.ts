import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '@axum/protocol';
import { missingBranchesLine, noMainLine, productionBranchOf, pythonCommand, starterConfig } from './init.js';

describe('missingBranchesLine', () => {
  it("names the starter's branches the repository lacks, and where commits go now", () => {
    expect(missingBranchesLine(['main', 'develop', 'staging'], 'main')).toBeNull();
    expect(missingBranchesLine(['master'], 'master')).toBe('branches develop, staging, main do not exist yet (git branch develop), or edit the branch: of each environment in axum.yml; commits on master feed no environment');
    // An unborn main (no commit yet) is the branch HEAD is on: not missing.
    expect(missingBranchesLine([], 'main')).toBe('branches develop, staging do not exist yet (git branch develop), or edit the branch: of each environment in axum.yml');
    expect(missingBranchesLine(['main', 'develop'], 'main')).toBe('branch staging does not exist yet (git branch staging), or edit the branch: of each environment in axum.yml');
    expect(missingBranchesLine([], null)).toBeNull();
    expect(missingBranchesLine(['master'], 'master', 'master')).toBe('branches develop, staging do not exist yet (git branch develop), or edit the branch: of each environment in axum.yml');
  });
});

describe('productionBranchOf', () => {
  it('is main, unless there is no main and HEAD is on a branch dev and staging do not take', () => {
    expect(productionBranchOf(['master'], 'master')).toBe('master');
    // On a feature branch of a repository whose main line is master: master, not the feature branch.
    expect(productionBranchOf(['master', 'feature'], 'feature')).toBe('master');
    expect(productionBranchOf([], 'trunk')).toBe('trunk');
    expect(productionBranchOf(['main', 'master'], 'master')).toBe('main');
    expect(productionBranchOf([], 'main')).toBe('main');
    expect(productionBranchOf(['develop'], 'develop')).toBe('main');
    expect(productionBranchOf(['master', 'develop'], 'develop')).toBe('master');
    expect(productionBranchOf([], null)).toBe('main');
  });

  it('with neither main nor master: the only branch, else main — never the feature branch checked out', () => {
    expect(productionBranchOf(['trunk'], 'trunk')).toBe('trunk');
    expect(productionBranchOf(['trunk'], null)).toBe('trunk');
    expect(productionBranchOf(['trunk', 'feature'], 'feature')).toBe('main');
    expect(productionBranchOf(['trunk', 'feature'], 'trunk')).toBe('main');
    expect(productionBranchOf(['trunk', 'feature'], null)).toBe('main');
    // An unborn master (`git init` on master, no commit yet) is the repository's main line.
    expect(productionBranchOf([], 'master')).toBe('master');
  });
});

describe('noMainLine', () => {
  const kind = { node: false, python: false, modelFolder: null, configFolder: false, train: null };
  it("says there is no main or master, and names the line of production's branch", () => {
    const config = starterConfig(kind, 'axum.schema.json', 'main');
    const line = noMainLine(['trunk', 'feature'], 'feature', 'main', config);
    expect(line).toBe('this repository has no main or master branch: production deploys from main, which does not exist; edit the branch: of production on line 9 of axum.yml to the branch you release from');
    expect(config.split('\n')[8]).toMatch(/^ {2}production: +\{ branch: main,/);
  });

  it('is null when main is there (or unborn), production took another branch, or git could not tell', () => {
    const config = starterConfig(kind, 'axum.schema.json', 'main');
    expect(noMainLine(['main', 'feature'], 'feature', 'main', config)).toBeNull();
    expect(noMainLine([], 'main', 'main', config)).toBeNull();
    expect(noMainLine(['master'], 'master', 'master', config)).toBeNull();
    expect(noMainLine(['trunk'], 'trunk', 'trunk', config)).toBeNull();
    expect(noMainLine([], null, 'main', config)).toBeNull();
  });
});

describe("the starter's production branch", () => {
  it('is text whatever it is named: a branch named true, null or 1.0 is no boolean, null or number to YAML', () => {
    const kind = { node: false, python: true, modelFolder: null, configFolder: false, train: null };
    for (const branch of ['true', 'null', '1.0', 'No', 'master', 'feature/x']) {
      const loaded = parseConfigText(starterConfig(kind, 'axum.schema.json', branch), 'axum.yml');
      expect(loaded.ok && loaded.config.environments.production?.branch, branch).toBe(branch);
    }
  });
});

describe('the starter pipeline runs Python by the name the PATH has', () => {
  it('python where it is on the PATH, python3 where only it is (Debian, Ubuntu)', () => {
    const bin = (names: string[]) => {
      const dir = mkdtempSync(join(tmpdir(), 'axum-path-'));
      for (const name of names) writeFileSync(join(dir, name), '#!/bin/sh\n', { mode: 0o755 });
      return dir;
    };
    expect(pythonCommand(bin(['python3']))).toBe('python3');
    expect(pythonCommand(`${bin([])}:${bin(['python', 'python3'])}`)).toBe('python');
    // Neither: the usual name, so the step's error names what to install.
    expect(pythonCommand(bin([]))).toBe('python');
  });
});
