// Compiles the SDK's test contracts (tests/contracts/*.sol of a zksync-js copy) with solc-js into
// the files its e2e suites import: tests/contracts/out/NAME.sol/NAME.json in forge's shape
// ({abi, bytecode: {object}, deployedBytecode: {object}}), which is what the SDK's own CI
// writes with `forge build`. Usage: node compile.cjs SOLC_MODULE_DIR SDK_COPY_DIR
'use strict';
const fs = require('fs');
const path = require('path');

const [solcDir, sdkDir] = process.argv.slice(2);
if (!solcDir || !sdkDir) {
  console.error('usage: node compile.cjs SOLC_MODULE_DIR SDK_COPY_DIR');
  process.exit(2);
}
const solc = require(path.resolve(solcDir));
const contractsDir = path.join(sdkDir, 'tests', 'contracts');
const files = fs.readdirSync(contractsDir).filter((f) => f.endsWith('.sol'));
if (files.length === 0) {
  console.error(`no .sol file in ${contractsDir}`);
  process.exit(1);
}
const sources = {};
for (const f of files) sources[f] = { content: fs.readFileSync(path.join(contractsDir, f), 'utf8') };
const input = {
  language: 'Solidity',
  sources,
  settings: {
    // forge's defaults: no optimizer, the compiler's default EVM version (prague for 0.8.30,
    // which the devnet's revm runs).
    optimizer: { enabled: false },
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === 'error');
for (const e of output.errors || []) console.error(e.formattedMessage);
if (errors.length > 0) process.exit(1);
let written = 0;
for (const [file, contracts] of Object.entries(output.contracts || {})) {
  for (const [name, c] of Object.entries(contracts)) {
    const dir = path.join(contractsDir, 'out', file);
    fs.mkdirSync(dir, { recursive: true });
    const json = {
      abi: c.abi,
      bytecode: { object: '0x' + c.evm.bytecode.object },
      deployedBytecode: { object: '0x' + c.evm.deployedBytecode.object },
    };
    fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(json, null, 2) + '\n');
    written += 1;
  }
}
console.log(`solc ${solc.version()}: ${written} contract(s) written to ${path.join(contractsDir, 'out')}`);
