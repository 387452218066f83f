// Parse worker entry when Colophon runs from its TypeScript sources; the bundle has parse-worker.js.
import { register } from 'tsx/esm/api';

register();
const { default: parseInWorker } = await import('./parse-worker.ts');
export default parseInWorker;
