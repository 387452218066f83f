import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * `npm run test:unit`: the edit–test loop, without Java or Chromium. It leaves out the files
 * that run the Nu checker, epubcheck or a browser, and the property test's 60 builds in every
 * edition; `npm test` runs them all.
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: [...configDefaults.exclude, 'test/browser.test.ts', 'test/epub.test.ts', 'test/hostile.test.ts', 'test/html-validators.test.ts', 'test/property.test.ts'],
    },
  }),
);
