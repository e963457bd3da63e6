/**
 * The layers of the tree, bottom to top: core → infra → domains → adapters → runtime → cli. A module imports only
 * from its own layer's allowed neighbours or below; tests and benchmarks may import anything.
 */
const domains = '(warranty|rma|fleet|analytics|keys|notifications)';
const adapters = '(ingest|api|jobs|simulator|dashboards|deliver)';
const above = (...layers) => `^(${layers.join('|')})/`;

const layer = (name, from, forbidden, comment) => ({ name, comment, severity: 'error', from: { path: from }, to: { path: forbidden } });

module.exports = {
  forbidden: [
    layer('core-is-the-bottom', '^core/', above('infra', domains, adapters, 'runtime', 'cli', 'test', 'bench'), 'core/ imports nothing of wearwatch but core/'),
    layer('infra-below-domains', '^infra/', above(domains, adapters, 'runtime', 'cli', 'test', 'bench'), 'infra/ builds on core/ only'),
    layer(
      'domains-below-adapters',
      `^${domains}/`,
      above('infra', adapters, 'runtime', 'cli', 'test', 'bench'),
      'a domain is pure logic over core/: no adapter, runtime or infrastructure',
    ),
    layer(
      'warranty-is-the-base-domain',
      '^warranty/',
      above('rma', 'fleet', 'analytics', 'keys', 'notifications'),
      'rma and fleet build on warranty, never the reverse',
    ),
    layer('rma-domain', '^rma/', above('fleet', 'analytics', 'keys', 'notifications'), 'rma builds on warranty only'),
    layer('fleet-domain', '^fleet/', above('rma', 'analytics', 'keys', 'notifications'), 'fleet builds on warranty only'),
    layer('analytics-domain', '^analytics/', above('rma', 'fleet', 'keys', 'warranty', 'notifications'), 'analytics reads ClickHouse rollups on its own'),
    layer('keys-domain', '^keys/', above('warranty', 'rma', 'fleet', 'analytics', 'notifications'), 'API keys stand alone'),
    layer('notifications-domain', '^notifications/', above('rma', 'analytics', 'keys'), 'notifications build on warranty and fleet only'),
    layer('adapters-below-runtime', `^${adapters}/`, above('runtime', 'cli', 'test', 'bench'), 'adapters are composed by runtime/, never the reverse'),
    layer('ingest-adapter', '^ingest/', above('api', 'jobs', 'simulator', 'dashboards', 'deliver'), 'adapters do not import each other'),
    layer('api-adapter', '^api/', above('ingest', 'jobs', 'simulator', 'dashboards', 'deliver'), 'adapters do not import each other'),
    layer('jobs-adapter', '^jobs/', above('ingest', 'api', 'simulator', 'dashboards', 'deliver'), 'adapters do not import each other'),
    layer('simulator-adapter', '^simulator/', above('ingest', 'api', 'jobs', 'dashboards', 'deliver'), 'adapters do not import each other'),
    layer('dashboards-adapter', '^dashboards/', above('ingest', 'api', 'jobs', 'simulator', 'deliver'), 'adapters do not import each other'),
    layer('deliver-adapter', '^deliver/', above('ingest', 'api', 'jobs', 'simulator', 'dashboards'), 'adapters do not import each other'),
    layer('runtime-below-cli', '^runtime/', above('cli', 'test', 'bench'), 'cli/ calls runtime/, never the reverse'),
    layer('cli-is-the-top', '^cli/', above('test', 'bench'), 'product code never imports tests or benchmarks'),
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
