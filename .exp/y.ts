import { isMap, isPair, isScalar, LineCounter, parseDocument } from 'yaml';

const lc = new LineCounter();
const src = 'a:\n  b:\n  c: &x {d: 1}\n  e: *x\n  f:\n    <<: *x\n    g: 2\nh: [1, 2\n';
const doc = parseDocument(src, { lineCounter: lc, merge: true, prettyErrors: false });
console.log(doc.errors.map((e) => [e.code, e.message, e.pos, lc.linePos(e.pos[0])]));
const a = (doc.contents as any).items[0].value;
for (const p of a.items)
  console.log(p.key.value, p.value?.constructor?.name, p.value?.range, p.key.range);
console.log(JSON.stringify(doc.toJS()));
