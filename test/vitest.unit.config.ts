import { readdirSync, readFileSync } from 'node:fs';
import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

const testDir = new URL('.', import.meta.url).pathname;

/**
 * `npm run test:unit`: the edit–test loop, without Java or Chromium. It leaves out every test
 * file that runs the Nu checker, epubcheck or a browser (found by the helpers it calls, so a new
 * file is sorted without a list to keep), the property test's 60 builds in every edition, and the
 * package test's npm pack and install.
 * `npm test` runs them all.
 */
const needsJavaOrChromium = readdirSync(testDir)
  .filter((name) => name.endsWith('.test.ts'))
  .filter((name) => /\b(nuCheck|epubcheck|epubcheckJar|launchChromium|chromium)\b|'java'/.test(readFileSync(`${testDir}${name}`, 'utf8')))
  .map((name) => `test/${name}`);

const unit = mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: [...configDefaults.exclude, ...needsJavaOrChromium, 'test/property.test.ts', 'test/package.test.ts'],
    },
  }),
);
// No epubcheck server either: mergeConfig would add to the base's list, not replace it.
unit.test = { ...unit.test, globalSetup: [] };

export default unit;
