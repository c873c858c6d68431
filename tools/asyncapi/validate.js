// Validates an AsyncAPI document with the AsyncAPI project's own parser.
// usage: node tools/asyncapi/validate.js docs/asyncapi.yaml
// Prints every diagnostic; exits 1 if the document has errors (or does not parse).
const path = require('path');
const { Parser, fromFile } = require('@asyncapi/parser');

const SEVERITY = ['error', 'warning', 'information', 'hint'];

async function main() {
  const file = path.resolve(process.argv[2] || 'docs/asyncapi.yaml');
  const parser = new Parser();
  const { document, diagnostics } = await fromFile(parser, file).parse();
  let errors = 0;
  for (const d of diagnostics) {
    const level = SEVERITY[d.severity] || String(d.severity);
    if (d.severity === 0) errors += 1;
    console.log(`${level}: ${d.code}: ${d.message} at /${(d.path || []).join('/')}`);
  }
  if (!document || errors) {
    console.log(`INVALID: ${errors} error(s) in ${file}`);
    process.exit(1);
  }
  console.log(`valid AsyncAPI ${document.version()}: ${document.channels().length} channels, ` +
              `${document.operations().length} operations, ${document.messages().length} messages`);
}

main().catch((err) => { console.error(err); process.exit(2); });
