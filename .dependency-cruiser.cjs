/**
 * The layers of the tree, bottom to top: core → infra → domains → adapters → runtime → cli. A module imports only from
 * below its layer, a domain only from the domains it is declared to build on, an adapter from no other adapter; tests and
 * benchmarks may import anything.
 */
const domains = {
  warranty: [],
  rma: ['warranty'],
  fleet: ['warranty'],
  analytics: [],
  keys: [],
  telemetry: ['warranty'],
  notifications: ['warranty', 'fleet'],
};
const adapters = ['ingest', 'api', 'jobs', 'simulator', 'dashboards', 'agent', 'deliver'];
const domainNames = Object.keys(domains);

const under = (...folders) => `^(${folders.join('|')})/`;
const rule = (name, from, to, comment) => ({ name, comment, severity: 'error', from: { path: from }, to: { path: to } });

module.exports = {
  forbidden: [
    rule(
      'core-is-the-bottom',
      under('core'),
      under('infra', ...domainNames, ...adapters, 'runtime', 'cli', 'test', 'bench'),
      'core/ imports nothing of wearwatch but core/',
    ),
    rule('infra-below-domains', under('infra'), under(...domainNames, ...adapters, 'runtime', 'cli', 'test', 'bench'), 'infra/ builds on core/ only'),
    ...Object.entries(domains).flatMap(([domain, buildsOn]) => [
      rule(
        `${domain}-is-a-domain`,
        under(domain),
        under('infra', ...adapters, 'runtime', 'cli', 'test', 'bench'),
        'a domain is logic over core/: no adapter, runtime or infrastructure',
      ),
      ...(domainNames.filter((d) => d !== domain && !buildsOn.includes(d)).length
        ? [
            rule(
              `${domain}-builds-on-${buildsOn.join('-') || 'core-only'}`,
              under(domain),
              under(...domainNames.filter((d) => d !== domain && !buildsOn.includes(d))),
              `${domain} may import the domains ${buildsOn.join(', ') || '(none)'} and nothing else of its layer`,
            ),
          ]
        : []),
    ]),
    ...adapters.map((adapter) =>
      rule(
        `${adapter}-is-an-adapter`,
        under(adapter),
        under(...adapters.filter((a) => a !== adapter), 'runtime', 'cli', 'test', 'bench'),
        'adapters import neither each other nor what composes them',
      ),
    ),
    rule('runtime-below-cli', under('runtime'), under('cli', 'test', 'bench'), 'cli/ calls runtime/, never the reverse'),
    rule('cli-is-the-top', under('cli'), under('test', 'bench'), 'product code never imports tests or benchmarks'),
    { name: 'no-circular', severity: 'error', comment: 'import cycles hide the layering', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
