#!/usr/bin/env node
// A stand-in for smartctl (which cannot read drives on a test machine): it replays real `smartctl --json` documents
// from test/fixtures/smartctl. SMARTCTL_STAND_IN_DEVICES maps device names to fixture files, e.g.
// {"/dev/nvme0":"smart-nvme.json"}. `--scan-open --json` lists them; `--json -a [-d TYPE] DEVICE` prints the document
// (on one line for --json=c, as smartctl does) and exits with the document's own smartctl exit status.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'smartctl');
const devices = JSON.parse(process.env.SMARTCTL_STAND_IN_DEVICES ?? '{}');
const args = process.argv.slice(2);

if (args.includes('--scan-open')) {
  const list = Object.keys(devices).map((name) => ({
    name,
    info_name: name,
    type: name.includes('nvme') ? 'nvme' : 'sat',
    protocol: name.includes('nvme') ? 'NVMe' : 'ATA',
  }));
  process.stdout.write(`${JSON.stringify({ json_format_version: [1, 0], smartctl: { version: [7, 4], exit_status: 0 }, devices: list }, null, 2)}\n`);
  process.exit(0);
}
const device = args[args.length - 1];
const file = devices[device];
if (!file) {
  process.stdout.write(`${JSON.stringify({ smartctl: { exit_status: 2, messages: [{ string: `${device}: No such device`, severity: 'error' }] } })}\n`);
  process.exit(2);
}
const text = readFileSync(join(fixtures, file), 'utf8');
// The fixtures' numbers are all below 2^53, so re-serialising them changes no digit.
process.stdout.write(args.includes('--json=c') ? `${JSON.stringify(JSON.parse(text))}\n` : text);
process.exit(JSON.parse(text).smartctl?.exit_status ?? 0);
