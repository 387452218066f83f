// Worker entry when Colophon runs from its TypeScript sources (tests, development): load them
// through tsx. The bundle that `npm ci` makes has its own compiled worker.js instead.
import { register } from 'tsx/esm/api';

register();
const { default: renderInWorker } = await import('./worker.ts');
export default renderInWorker;
