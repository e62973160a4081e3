// Test-only command-line driver of the page's client library for the
// integration test tests/integration/test_web_client.py: one command per
// run against the relay's HTTP door at BASE, its request as JSON on standard
// input (codes and texts never on the command line), its result as JSON on
// standard output. Binary files travel as base64. Uses the insecure test
// key derivation when the request says so (as --insecure-test-kdf). With
// `loseDepositAnswers: N` the answers to the first N deposit POSTs are read
// and then lost, as when a connection drops after the relay stored them.
//   node e2e-driver.js BASE report|check|reply|rotate|answer  < request.json
import { openChannel } from '../src/client/index.js';
import { KDF_INSECURE_FOR_TESTS, KDF_PRODUCTION } from '../src/protocol/derive.js';

const [base, command] = process.argv.slice(2);
let input = '';
for await (const chunk of process.stdin) input += chunk;
const req = JSON.parse(input || '{}');
const files = (list = []) => list.map((f) => ({ name: f.name, bytes: new Uint8Array(Buffer.from(f.b64, 'base64')) }));
const progress = [];
const onProgress = (e) => { if (e.step === 'retry') progress.push(e); };
let toLose = req.loseDepositAnswers ?? 0;
const isDeposit = (body) => body instanceof Uint8Array && body.length > 6 && body[0] === 2 && body[4] === 1 && body[5] === 3;
async function fetchFn(url, init) {
  const response = await fetch(url, init);
  if (toLose > 0 && isDeposit(init?.body)) {
    toLose--;
    await response.arrayBuffer();
    throw new TypeError('fetch failed (the test lost this answer)');
  }
  return response;
}

async function main() {
  const channel = await openChannel({ base, fetchFn, kdf: req.insecureKdf ? KDF_INSECURE_FOR_TESTS : KDF_PRODUCTION });
  const byName = (name) => channel.advisers.find((a) => a.name === name)?.id ?? name;
  switch (command) {
    case 'directory':
      return { advisers: channel.advisers, maxReaders: channel.maxReaders, policy: channel.policy };
    case 'report': {
      const code = channel.newCode();
      const r = await channel.report({ code, advisers: req.advisers.map(byName), text: req.text, files: files(req.files), onProgress });
      return { code: r.code, withoutOneTime: r.withoutOneTime };
    }
    case 'check': {
      const session = await channel.open(req.code);
      try {
        const c = await session.check({ onProgress });
        for (const f of c.files) if (f.status === 'intact') f.b64 = Buffer.from(session.downloadFile(f).bytes).toString('base64');
        return c;
      } finally { session.close(); }
    }
    case 'reply': {
      const session = await channel.open(req.code);
      try { return await session.reply({ text: req.text, files: files(req.files), onProgress }); } finally { session.close(); }
    }
    case 'rotate': {
      const session = await channel.open(req.code);
      const code = channel.newCode();
      const display = code.display;
      try { return { code: display, ...(await session.rotate({ code, onProgress })) }; } finally { session.close(); }
    }
    case 'answer': {
      const session = await channel.open(req.code);
      try {
        const c = await session.check({ onProgress });
        if (c.offers.length === 0) return { error: 'no-offer' };
        return await session.answerHandover({ offer: c.offers[0], accept: req.accept, onProgress });
      } finally { session.close(); }
    }
    default:
      throw new Error(`unknown command ${command}`);
  }
}

try {
  const result = await main();
  process.stdout.write(JSON.stringify({ ok: true, result, retries: progress.length, lost: progress.filter((e) => e.lost).length },
    (k, v) => (typeof v === 'bigint' ? v.toString() : v)));
} catch (e) {
  process.stdout.write(JSON.stringify({ ok: false, kind: e.kind ?? 'unknown', message: e.message }));
  process.exitCode = 1;
}
