import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { WearwatchError } from '../../core/errors.ts';
import { sleep } from '../../core/sleep.ts';

const here = dirname(fileURLToPath(import.meta.url));
const pomPath = join(here, 'pom.xml');
const log4jPath = join(here, 'log4j2.properties');

export interface LocalBrokerOptions {
  /** Folder for the broker's log segments, metadata and its own log file. */
  dataDir: string;
  /** Folder for the jars Maven fetches; shared by every data folder. */
  cacheDir: string;
  /** Client port; the KRaft controller listens on port + 1. */
  port: number;
  /** Default partition count for topics created without one. */
  partitions?: number;
  /** Called with a line of progress for a person watching. */
  progress?: (line: string) => void;
  readyTimeoutMs?: number;
  /** One node of a local cluster (all nodes share the cluster id and the voter list); unset: a single node. */
  cluster?: LocalClusterNode;
}

interface LocalClusterNode {
  nodeId: number;
  /** controller.quorum.voters of the whole cluster, `id@host:controllerPort,…`. */
  voters: string;
  clusterId: string;
  /** Replication of internal and new topics, and the in-sync replicas an acks=all write needs. */
  replicationFactor: number;
  minInsyncReplicas: number;
}

/** A KRaft cluster id: 16 random bytes in URL-safe base64 without padding, not starting with '-' (read as an option). */
export function newClusterId(): string {
  let clusterId: string;
  do clusterId = randomBytes(16).toString('base64url');
  while (clusterId.startsWith('-'));
  return clusterId;
}

/**
 * A single-node Apache Kafka (KRaft) assembled from Maven Central and run with `java -cp`.
 *
 * The JVM runs under a small shell guard that holds a pipe from this process: when this process ends for any reason,
 * even SIGKILL, the pipe closes and the guard stops the broker, so no java process outlives wearwatch. The broker runs
 * in its own process group so Ctrl-C reaches wearwatch first, which stops its consumers before the broker goes.
 */
export class LocalKafkaBroker {
  private child?: ChildProcess;
  private exited?: Promise<number | null>;
  readonly brokers: string[];
  readonly logFile: string;

  constructor(private readonly options: LocalBrokerOptions) {
    this.brokers = [`127.0.0.1:${options.port}`];
    this.logFile = join(options.dataDir, 'broker.log');
  }

  async start(): Promise<void> {
    const progress = this.options.progress ?? (() => {});
    requireCommand('java', '-version', 'install a Java 17+ runtime (Debian: apt-get install -y openjdk-17-jre-headless)');
    if (await portAnswers(this.options.port)) {
      throw new WearwatchError(
        'WW_KAFKA_PORT_IN_USE',
        `port ${this.options.port} on 127.0.0.1 is already taken, so the local Kafka broker cannot start`,
        `stop what listens there, set KAFKA_BROKERS=127.0.0.1:${this.options.port} to use it as the cluster, or pick another KAFKA_PORT`,
      );
    }
    const classpath = ensureJars(this.options.cacheDir, progress);
    mkdirSync(this.options.dataDir, { recursive: true });
    const properties = this.writeProperties();
    this.format(classpath, properties, progress);

    progress(`starting Kafka broker on ${this.brokers[0]} (log: ${this.logFile})`);
    const out = openSync(this.logFile, 'a');
    const java = [
      'java',
      '-Xms256m',
      '-Xmx1g',
      '-XX:+UseG1GC',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${log4jPath}`,
      '-cp',
      classpath,
      'kafka.Kafka',
      properties,
    ];
    const guard = `${java.map(shellQuote).join(' ')} </dev/null & j=$!; cat >/dev/null; kill -TERM $j 2>/dev/null; wait $j`;
    this.child = spawn('sh', ['-c', guard], { stdio: ['pipe', out, out], detached: true });
    closeSync(out);
    this.exited = new Promise((resolve) => this.child!.once('exit', (code) => resolve(code)));
    await this.waitReady(this.options.readyTimeoutMs ?? 90_000, progress);
  }

  /** Ends the broker at once with SIGKILL, as a crash or a power loss would; start() brings it back on its data. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.exited) return;
    this.child = undefined;
    killGroup(child, 'SIGKILL');
    await this.exited;
  }

  /** Stops the broker gracefully (it flushes and closes its logs), forcing it after a grace period. */
  async stop(graceMs = 30_000): Promise<void> {
    const child = this.child;
    if (!child || !this.exited) return;
    this.child = undefined;
    child.stdin?.end();
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private writeProperties(): string {
    const { dataDir, port, partitions = 1, cluster } = this.options;
    const replication = cluster?.replicationFactor ?? 1;
    const file = join(dataDir, 'server.properties');
    const lines = [
      'process.roles=broker,controller',
      `node.id=${cluster?.nodeId ?? 1}`,
      `controller.quorum.voters=${cluster?.voters ?? `1@127.0.0.1:${port + 1}`}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${port + 1}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      `log.dirs=${join(dataDir, 'logs')}`,
      `num.partitions=${partitions}`,
      `offsets.topic.replication.factor=${replication}`,
      'offsets.topic.num.partitions=4',
      `transaction.state.log.replication.factor=${replication}`,
      `transaction.state.log.min.isr=${Math.min(replication, cluster?.minInsyncReplicas ?? 1)}`,
      `default.replication.factor=${replication}`,
      `min.insync.replicas=${cluster?.minInsyncReplicas ?? 1}`,
      // One local node: a consumer group need not wait for more members before its first assignment.
      'group.initial.rebalance.delay.ms=0',
      // Topics come from wearwatch's contracts; a typo must not silently create a new one.
      'auto.create.topics.enable=false',
      'log.retention.hours=168',
      // message.max.bytes stays at the broker default (1 MiB), as on the clusters users run: producers batch by bytes.
    ];
    writeFileSync(file, lines.join('\n') + '\n');
    return file;
  }

  private format(classpath: string, properties: string, progress: (line: string) => void): void {
    if (existsSync(join(this.options.dataDir, 'logs', 'meta.properties'))) return;
    progress('formatting Kafka storage (first start of this data folder)');
    const clusterId = this.options.cluster?.clusterId ?? newClusterId();
    const result = spawnSync(
      'java',
      [`-Dlog4j2.configurationFile=${log4jPath}`, '-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', properties],
      { encoding: 'utf8' },
    );
    if (result.status !== 0) {
      throw new WearwatchError(
        'WW_KAFKA_FORMAT_FAILED',
        `formatting Kafka storage in ${this.options.dataDir} failed: ${(result.stderr || result.stdout).trim()}`,
        'remove the kafka folder under the data folder if it is left over from another Kafka version',
      );
    }
  }

  private async waitReady(timeoutMs: number, progress: (line: string) => void): Promise<void> {
    const kafka = new Kafka({ clientId: 'wearwatch-probe', brokers: this.brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const deadline = Date.now() + timeoutMs;
    let exitCode: number | null | undefined;
    void this.exited!.then((code) => (exitCode = code ?? -1));
    for (let attempt = 1; ; attempt++) {
      if (exitCode !== undefined) {
        throw new WearwatchError(
          'WW_KAFKA_EXITED',
          `the Kafka broker exited with code ${exitCode} while starting:\n${tail(this.logFile)}`,
          `read ${this.logFile}`,
        );
      }
      const admin = kafka.admin();
      try {
        await admin.connect();
        await admin.describeCluster();
        await admin.disconnect();
        return;
      } catch {
        await admin.disconnect().catch(() => {});
      }
      if (Date.now() > deadline) {
        await this.stop(5_000);
        throw new WearwatchError(
          'WW_KAFKA_NOT_READY',
          `the Kafka broker did not answer within ${timeoutMs / 1000} s:\n${tail(this.logFile)}`,
          `read ${this.logFile}`,
        );
      }
      if (attempt % 10 === 0) progress(`waiting for Kafka broker to answer (${Math.round((timeoutMs - (deadline - Date.now())) / 1000)} s)`);
      await sleep(500);
    }
  }
}

/**
 * Copies the broker's jars from Maven into the cache once; the folder name carries a hash of the pom so a version
 * bump fetches afresh. Returns the java classpath.
 */
export function ensureJars(cacheDir: string, progress: (line: string) => void = () => {}): string {
  const pom = readFileSync(pomPath);
  const dir = join(cacheDir, `kafka-${createHash('sha256').update(pom).digest('hex').slice(0, 12)}`);
  const libs = join(dir, 'libs');
  const marker = join(dir, 'complete');
  if (!existsSync(marker)) {
    requireCommand('mvn', '--version', 'install Apache Maven (Debian: apt-get install -y maven)');
    progress('fetching the Kafka broker jars from Maven Central (first run only, about 50 MB)');
    mkdirSync(dir, { recursive: true });
    const result = spawnSync('mvn', ['-B', '-q', '-f', pomPath, 'dependency:copy-dependencies', `-DoutputDirectory=${libs}`, '-DincludeScope=runtime'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (result.status !== 0) {
      throw new WearwatchError(
        'WW_KAFKA_JARS',
        `Maven could not fetch the Kafka jars:\n${(result.stdout + result.stderr).trim().slice(-2000)}`,
        'check that Maven Central is reachable (mvn -B dependency:get -Dartifact=org.apache.kafka:kafka_2.13:4.4.0), or set KAFKA_BROKERS to an existing cluster',
      );
    }
    writeFileSync(marker, new Date().toISOString() + '\n');
  }
  return join(libs, '*');
}

function requireCommand(command: string, versionFlag: string, hint: string): void {
  const result = spawnSync(command, [versionFlag], { stdio: 'ignore' });
  if (result.error) {
    throw new WearwatchError(
      'WW_MISSING_TOOL',
      `'${command}' was not found on PATH; the local Kafka broker needs it`,
      `${hint}, or set KAFKA_BROKERS to an existing cluster`,
    );
  }
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no broker log)';
  }
}

function shellQuote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}
