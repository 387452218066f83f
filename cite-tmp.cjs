const fs = require('fs');
const { plugins } = require('@citation-js/core'); require('@citation-js/plugin-bibtex');
const CSL = require('citeproc');
const locales = require('@citation-js/plugin-csl/lib/locales.json');
const items = new Map(plugins.input.chain(fs.readFileSync('test/fixtures/paper/refs.bib', 'utf8'), { forceType: '@biblatex/text', generateGraph: false }).map(i => [i.id, i]));
const style = fs.readFileSync(process.argv[2] ?? 'templates/csl/chicago-author-date.csl', 'utf8');
const sys = { retrieveLocale: (l) => locales[l] ?? locales['en-US'], retrieveItem: (id) => items.get(id) };
const engine = new CSL.Engine(sys, style, 'en-US');
const ids = [...items.keys()];
const O = (k) => '⁣' + k + '⁣', C = '\u27E7';
const mk = (list) => list.map((it, k) => ({ ...it, prefix: (it.prefix ?? '') + O(k), suffix: C + (it.suffix ?? '') }));
const clusters = [
  mk([{ id: ids[0], prefix: 'see ', locator: '4', label: 'page' }, { id: ids[1], suffix: ', and elsewhere' }]),
  mk([{ id: ids[0] }, { id: ids[2] }]),
  mk([{ id: ids[1], 'suppress-author': true , locator: '3'}]),
  mk([{ id: ids[2] }, { id: ids[0] }, { id: ids[1], suffix: ' for more' }]),
].map((citationItems, i) => ({ citationID: 'c' + i, citationItems, properties: { noteIndex: 0 } }));
for (const r of engine.rebuildProcessorState(clusters, 'html', [])) console.log(JSON.stringify(r[2]));
