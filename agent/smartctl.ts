import { spawn } from 'node:child_process';
import { WearwatchError } from '../core/errors.ts';

/** A device as `smartctl --scan-open --json` lists it. */
export interface ScannedDevice {
  name: string;
  type?: string;
}

/** What one smartctl run printed and its exit status (a bit mask: non-zero is common and not by itself a failure). */
interface Run {
  stdout: string;
  status: number;
}

function run(binary: string, args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.resume();
    child.once('error', (cause) =>
      reject(
        new WearwatchError(
          'WW_MISSING_TOOL',
          `could not run ${binary}: ${cause.message}`,
          'install smartmontools 7+ (Debian: apt-get install -y smartmontools) or pass --smartctl PATH',
          {
            cause,
          },
        ),
      ),
    );
    child.once('close', (status) => resolve({ stdout: Buffer.concat(out).toString('utf8'), status: status ?? -1 }));
  });
}

/** smartctl as the agent drives it: a scan, then one `--json=c -a` document per device, kept as the exact text printed. */
export class Smartctl {
  constructor(
    private readonly binary = 'smartctl',
    private readonly timeoutMs = 60_000,
  ) {}

  async scan(): Promise<ScannedDevice[]> {
    const { stdout, status } = await run(this.binary, ['--scan-open', '--json=c'], this.timeoutMs);
    let parsed: { devices?: ScannedDevice[] };
    try {
      parsed = JSON.parse(stdout) as { devices?: ScannedDevice[] };
    } catch {
      throw new WearwatchError(
        'WW_SMARTCTL_OUTPUT',
        `smartctl --scan-open --json printed no JSON (exit status ${status})`,
        'smartmontools 7.1 or newer is needed for --json=c',
      );
    }
    return (parsed.devices ?? []).filter((d) => typeof d.name === 'string');
  }

  /** The document's text, or undefined when smartctl printed no JSON object (nothing to report for that device). */
  async read(device: ScannedDevice): Promise<string | undefined> {
    // Compact (one line): a document is then one line of a spool file, of --dry-run output and of a log.
    const args = ['--json=c', '-a', ...(device.type ? ['-d', device.type] : []), device.name];
    const { stdout } = await run(this.binary, args, this.timeoutMs);
    const text = stdout.trim();
    return text.startsWith('{') && text.endsWith('}') ? text : undefined;
  }
}
