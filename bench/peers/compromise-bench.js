// Reads JSONL articles on stdin and runs compromise over each: people, organisations,
// places and quotations, as copydesk's default pipeline finds them.  Writes one JSON line
// per article so the work is not optimised away.
const nlp = require('compromise');
const readline = require('readline');

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
  if (!line.trim()) return;
  const record = JSON.parse(line);
  const doc = nlp(record.text);
  const out = {
    id: record.id,
    sentences: doc.sentences().length,
    people: doc.people().out('array'),
    organizations: doc.organizations().out('array'),
    places: doc.places().out('array'),
    quotes: doc.quotations().out('array'),
  };
  process.stdout.write(JSON.stringify(out) + '\n');
});
