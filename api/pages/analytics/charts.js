// Analytics pages: reads the filters, calls /v1/analytics/* with the staff key (Bearer) and draws the charts with
// ECharts (served by the app at /assets/echarts.min.js). Plain browser script: no build step.
(() => {
  var root = document.querySelector('[data-analytics-page]');
  if (!root) return;
  var page = root.getAttribute('data-analytics-page');
  var form = document.getElementById('analytics-filters');
  var status = document.getElementById('analytics-status');
  var keyInput = document.getElementById('f-key');
  var charts = {};
  keyInput.value = sessionStorage.getItem('wearwatch.key') || '';

  function say(kind, text) {
    status.hidden = !text;
    status.className = 'notice ' + kind;
    status.textContent = text || '';
  }

  function query(extra) {
    var params = new URLSearchParams();
    ['from', 'to', 'model', 'firmware', 'fleet'].forEach((name) => {
      var el = document.getElementById('f-' + name);
      if (el?.value.trim()) params.set(name, el.value.trim());
    });
    Object.keys(extra || {}).forEach((k) => {
      params.set(k, extra[k]);
    });
    return params.toString();
  }

  function get(path, extra) {
    return fetch(path + '?' + query(extra), { headers: { authorization: 'Bearer ' + keyInput.value.trim() } }).then((res) =>
      res.json().then((body) => {
        if (!res.ok) {
          const fields = body.error?.fields || [];
          throw new Error((body.error ? body.error.message : res.statusText) + fields.map((f) => ' — ' + f.field + ': ' + f.message).join(''));
        }
        return body;
      }),
    );
  }

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!charts[id]) charts[id] = echarts.init(el, null, { renderer: 'canvas' });
    charts[id].setOption(option, true);
  }

  /** Rows of {month, series, value} → one line/bar series per `series` over the sorted months. */
  function monthly(points, value, type, stack) {
    var months = Array.from(new Set(points.map((p) => p.month.slice(0, 7)))).sort();
    var names = Array.from(new Set(points.map((p) => p.series))).sort();
    return {
      months: months,
      series: names.map((name) => ({
        name: name,
        type: type,
        stack: stack,
        showSymbol: false,
        data: months.map((m) => {
          var p = points.find((q) => q.series === name && q.month.slice(0, 7) === m);
          return p ? Number(p[value].toFixed ? p[value].toFixed(3) : p[value]) : type === 'bar' ? 0 : null;
        }),
      })),
    };
  }

  function timeChart(id, points, value, type, unit) {
    var m = monthly(points, value, type, type === 'bar' ? 'total' : undefined);
    draw(id, {
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: { type: 'scroll', top: 0 },
      grid: { left: 50, right: 20, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: m.months },
      yAxis: { type: 'value', name: unit },
      series: m.series,
    });
  }

  var palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

  /**
   * One solid line per group with its confidence band as two thin dashed lines of the same colour. `groups` is
   * [{ name, data: [[x, value, lower, upper], …] }]; step draws a Kaplan–Meier staircase.
   */
  function bandChart(id, groups, opts) {
    var series = [];
    groups.forEach((g, i) => {
      var color = palette[i % palette.length];
      var common = { type: 'line', showSymbol: false, step: opts.step ? 'end' : undefined, color: color };
      series.push(Object.assign({ name: g.name, data: g.data.map((d) => [d[0], d[1]]), lineStyle: { width: 2 } }, common));
      [2, 3].forEach((k) => {
        series.push(
          Object.assign(
            {
              name: g.name,
              data: g.data.map((d) => [d[0], d[k]]),
              silent: true,
              tooltip: { show: false },
              lineStyle: { width: 1, type: 'dashed', opacity: 0.6 },
            },
            common,
          ),
        );
      });
    });
    draw(id, {
      animation: false,
      tooltip: { trigger: 'axis', valueFormatter: (v) => fix(v, 2) },
      legend: { type: 'scroll', top: 0, data: groups.map((g) => g.name) },
      grid: { left: 55, right: 25, top: 40, bottom: 45 },
      xAxis: opts.xAxis,
      yAxis: { type: 'value', name: opts.unit, min: 0 },
      series: series,
    });
  }

  function cumulativeChart(id, points) {
    var months = Array.from(new Set(points.map((p) => p.month.slice(0, 7)))).sort();
    var names = Array.from(new Set(points.map((p) => p.series))).sort();
    bandChart(
      id,
      names.map((name) => ({
        name: name,
        data: points.filter((p) => p.series === name).map((p) => [p.month.slice(0, 7), p.afr_pct, p.lower_pct, p.upper_pct]),
      })),
      { xAxis: { type: 'category', data: months }, unit: 'AFR % (cumulative)' },
    );
  }

  function tableHtml(columns, rows) {
    var esc = (v) => String(v === null || v === undefined ? '' : v).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
    return (
      '<table><thead><tr>' +
      columns.map((c) => '<th' + (c.num ? ' class="num"' : '') + '>' + esc(c.label) + '</th>').join('') +
      '</tr></thead><tbody>' +
      (rows.length
        ? rows
            .map(
              (r) =>
                '<tr' +
                (r._class ? ' class="' + r._class + '"' : '') +
                '>' +
                columns.map((c) => '<td' + (c.num ? ' class="num"' : '') + '>' + esc(c.get(r)) + '</td>').join('') +
                '</tr>',
            )
            .join('')
        : '<tr><td colspan="' + columns.length + '">nothing to show</td></tr>') +
      '</tbody></table>'
    );
  }

  var fix = (n, d) => (n === null || n === undefined ? '—' : Number(n).toFixed(d));

  /** The risk ranking takes the fleet only (its own as-of day), not the date filters. */
  function riskGet() {
    return get('/v1/analytics/risk', { limit: 25 });
  }

  var loaders = {
    fleet: () =>
      Promise.all([get('/v1/analytics/wear'), get('/v1/analytics/near-limit', { limit: 200 }), riskGet()]).then((r) => {
        document.getElementById('risk-table').innerHTML = tableHtml(
          [
            { label: '', get: (d) => (d.alert ? '⚠' : '') },
            { label: 'Serial', get: (d) => d.serial },
            { label: 'Model', get: (d) => d.model },
            { label: 'Fleet', get: (d) => d.fleet_id },
            { label: 'Firmware', get: (d) => d.firmware },
            { label: 'P(fail in 30 days) %', num: true, get: (d) => fix(d.p_fail_30d * 100, 1) },
            { label: 'Signals', get: (d) => d.signals.join(', ') },
          ],
          r[2].drives.map((d) => {
            d._class = d.alert ? 'level-critical' : '';
            return d;
          }),
        );
        var buckets = r[0].buckets;
        var bands = ['0-10', '10-20', '20-30', '30-40', '40-50', '50-60', '60-70', '70-80', '80-90', '90-100', '100+'];
        var models = Array.from(new Set(buckets.map((b) => b.model))).sort();
        draw('wear-chart', {
          animation: false,
          tooltip: { trigger: 'axis' },
          legend: { type: 'scroll', top: 0 },
          grid: { left: 50, right: 20, top: 40, bottom: 40 },
          xAxis: { type: 'category', data: bands.map((b) => b + ' %'), name: 'rating used', nameLocation: 'center', nameGap: 28, axisLabel: { interval: 0 } },
          yAxis: { type: 'value', name: 'drives' },
          series: models.map((m) => ({
            name: m,
            type: 'bar',
            stack: 'drives',
            data: bands.map((b) => {
              var hit = buckets.find((x) => x.model === m && x.bucket === b);
              return hit ? hit.drives : 0;
            }),
          })),
        });
        var near = r[1];
        document.getElementById('near-table').innerHTML = tableHtml(
          [
            { label: 'Serial', get: (u) => u.serial },
            { label: 'Model', get: (u) => u.model },
            { label: 'Fleet', get: (u) => u.fleet_id },
            { label: 'Firmware', get: (u) => u.firmware },
            { label: 'Last report', get: (u) => u.last_seen },
            { label: 'Wear %', num: true, get: (u) => fix(u.wear_pct, 1) },
            { label: 'Level', get: (u) => u.level },
          ],
          near.units.map((u) => {
            u._class = 'level-' + u.level;
            return u;
          }),
        );
      }),
    quality: () => {
      var factor = document.getElementById('f-factor').value;
      return Promise.all([
        get('/v1/analytics/afr/cumulative', { by: 'model' }),
        get('/v1/analytics/afr/cumulative', { by: 'firmware' }),
        get('/v1/analytics/causes', { factor: factor }),
        get('/v1/analytics/causes', { factor: factor, adjusted: 'false' }),
      ]).then((r) => {
        cumulativeChart('afr-model-chart', r[0].points);
        cumulativeChart('afr-firmware-chart', r[1].points);
        var levels = r[2].levels.filter((l) => l.lower !== null && l.upper !== null);
        var shown = levels.slice(0, 15).reverse();
        draw('causes-chart', {
          animation: false,
          grid: { left: 140, right: 30, top: 20, bottom: 30 },
          tooltip: {
            trigger: 'item',
            formatter: (p) => {
              var l = shown[p.dataIndex];
              return l.level + ': ' + fix(l.ratio, 2) + '× [' + fix(l.lower, 2) + ', ' + fix(l.upper, 2) + ']';
            },
          },
          xAxis: { type: 'log', name: 'ratio', min: 0.1 },
          yAxis: { type: 'category', data: shown.map((l) => l.level) },
          series: [
            { type: 'bar', stack: 'ci', silent: true, itemStyle: { color: 'transparent' }, data: shown.map((l) => Math.max(l.lower, 0.1)) },
            {
              type: 'bar',
              stack: 'ci',
              data: shown.map((l) => ({
                value: Math.max(l.upper - Math.max(l.lower, 0.1), 0.001),
                itemStyle: { color: l.verdict === 'higher' ? '#c62828' : l.verdict === 'lower' ? '#2e7d32' : '#8b949e' },
              })),
            },
            {
              type: 'scatter',
              symbol: 'diamond',
              symbolSize: 10,
              itemStyle: { color: '#0d1117' },
              data: shown.map((l) => l.ratio),
              markLine: { silent: true, symbol: 'none', lineStyle: { type: 'dashed' }, data: [{ xAxis: 1 }] },
            },
          ],
        });
        var verdictText = (v) =>
          v === 'higher' ? 'failing more than it should' : v === 'lower' ? 'failing less' : v === 'not_estimable' ? 'not estimable on its own' : 'no evidence';
        var statusText = (l) =>
          l.status === 'reference' ? 'reference' : l.status === 'pooled' ? 'pooled (sparse)' : l.status === 'aliased' ? 'aliased' : 'estimated';
        document.getElementById('causes-summary').textContent =
          'Adjusted for ' +
          r[2].adjusted_for.join(', ') +
          '. Reference: ' +
          r[2].reference +
          '. Likelihood-ratio test of ' +
          r[2].factor +
          ': χ² ' +
          fix(r[2].test.chi2, 1) +
          ' on ' +
          r[2].test.df +
          ' df, p ' +
          (r[2].test.p < 0.001 ? '< 0.001' : '= ' + fix(r[2].test.p, 3)) +
          '. Levels with fewer than ' +
          r[2].min_failures +
          ' failures (and as few expected) are pooled.';
        document.getElementById('causes-table').innerHTML = tableHtml(
          [
            { label: r[2].factor.replace('_', ' '), get: (l) => l.level },
            { label: 'Failures', num: true, get: (l) => l.failures },
            { label: 'Drive-days', num: true, get: (l) => l.drive_days },
            { label: 'AFR %', num: true, get: (l) => fix(l.afr_pct, 2) },
            { label: 'Adjusted ratio', num: true, get: (l) => fix(l.ratio, 2) },
            { label: '95 % interval', get: (l) => (l.lower === null ? '' : '[' + fix(l.lower, 2) + ', ' + fix(l.upper, 2) + ']') },
            { label: 'Status', get: statusText },
            { label: 'Verdict', get: (l) => verdictText(l.verdict) },
          ],
          r[2].levels.map((l) => {
            l._class = 'verdict-' + l.verdict;
            return l;
          }),
        );
        document.getElementById('causes-unadjusted-table').innerHTML = tableHtml(
          [
            { label: r[3].factor.replace('_', ' '), get: (l) => l.level },
            { label: 'Failures', num: true, get: (l) => l.failures },
            { label: 'Expected', num: true, get: (l) => fix(l.expected, 1) },
            { label: 'Unadjusted ratio', num: true, get: (l) => fix(l.ratio, 2) },
            { label: '95 % interval', get: (l) => '[' + fix(l.lower, 2) + ', ' + fix(l.upper, 2) + ']' },
            { label: 'q', num: true, get: (l) => (l.q < 0.001 ? '<0.001' : fix(l.q, 3)) },
            { label: 'Verdict (unadjusted)', get: (l) => verdictText(l.verdict) },
          ],
          r[3].levels,
        );
      });
    },
    survival: () => {
      var by = document.getElementById('f-by').value;
      return get('/v1/analytics/survival', { by: by }).then((r) => {
        var curves = r.curves
          .slice()
          .sort((a, b) => b.drives - a.drives)
          .slice(0, 10);
        bandChart(
          'survival-chart',
          curves.map((c) => ({
            name: c.group,
            data: [[0, 0, 0, 0]].concat(c.points.map((p) => [p.age_days, p.failed_pct, p.lower_pct, p.upper_pct])),
          })),
          { step: true, unit: '% failed', xAxis: { type: 'value', name: 'age (days)', nameLocation: 'center', nameGap: 28 } },
        );
        var ages = Array.from(new Set(curves.flatMap((c) => c.at_risk.map((a) => a.age_days)))).sort((a, b) => a - b);
        document.getElementById('survival-table').innerHTML = tableHtml(
          [
            { label: r.by, get: (c) => c.group },
            { label: 'Drives', num: true, get: (c) => c.drives },
            { label: 'Failures', num: true, get: (c) => c.failures },
            { label: 'AFR % [95 %]', get: (c) => fix(c.afr_pct, 2) + ' [' + fix(c.afr_lower_pct, 2) + ', ' + fix(c.afr_upper_pct, 2) + ']' },
          ].concat(
            ages.map((age) => ({
              label: 'at risk, day ' + age,
              num: true,
              get: (c) => {
                var hit = c.at_risk.find((a) => a.age_days === age);
                return hit ? hit.at_risk : '';
              },
            })),
          ),
          curves,
        );
      });
    },
    support: () => {
      var model = document.getElementById('f-model').value.trim();
      var only = model ? { model: model } : {};
      return Promise.all([
        get('/v1/analytics/claims', { by: 'outcome' }),
        get('/v1/analytics/claims', { by: 'reason' }),
        get('/v1/analytics/forecast', Object.assign({ months: 12 }, only)),
        get('/v1/analytics/forecast/backtest', Object.assign({ months: 6 }, only)).catch(() => null),
      ]).then((r) => {
        timeChart('claims-outcome-chart', r[0].points, 'claims', 'bar', 'claims');
        timeChart('claims-reason-chart', r[1].points, 'claims', 'bar', 'claims');
        var actual = {};
        r[0].points.forEach((p) => {
          var m = p.month.slice(0, 7);
          actual[m] = (actual[m] || 0) + p.claims;
        });
        var forecast = {};
        r[2].cells.forEach((c) => {
          var m = c.month.slice(0, 7);
          forecast[m] = (forecast[m] || 0) + c.expected_claims;
        });
        var backtest = {};
        if (r[3])
          r[3].months.forEach((m) => {
            backtest[m.month.slice(0, 7)] = m.forecast;
          });
        var months = Array.from(new Set(Object.keys(actual).concat(Object.keys(forecast), Object.keys(backtest)))).sort();
        var pick = (o) => months.map((m) => (o[m] === undefined ? null : Number(o[m].toFixed(1))));
        draw('forecast-chart', {
          animation: false,
          tooltip: { trigger: 'axis' },
          legend: { top: 0 },
          grid: { left: 50, right: 20, top: 40, bottom: 30 },
          xAxis: { type: 'category', data: months },
          yAxis: { type: 'value', name: 'claims' },
          series: [
            { name: 'actual', type: 'bar', data: pick(actual) },
            { name: 'backtest forecast', type: 'line', lineStyle: { type: 'dashed' }, data: pick(backtest) },
            { name: 'forecast', type: 'line', data: pick(forecast) },
          ],
        });
        var summary = document.getElementById('backtest-summary');
        if (r[3]) {
          summary.hidden = false;
          summary.textContent =
            'Backtest from ' +
            r[3].as_of +
            ': MAPE ' +
            (r[3].mape_pct === null ? 'n/a' : r[3].mape_pct.toFixed(1) + ' %') +
            ', total absolute error ' +
            r[3].total_abs_error.toFixed(1) +
            ' claims (' +
            r[3].total_forecast.toFixed(1) +
            ' forecast, ' +
            r[3].total_actual +
            ' actual).';
        }
      });
    },
  };

  function load() {
    sessionStorage.setItem('wearwatch.key', keyInput.value.trim());
    if (!keyInput.value.trim()) {
      say('warn', 'Enter a staff API key to load the data.');
      return;
    }
    say('ok', 'Loading…');
    root.setAttribute('aria-busy', 'true');
    loaders[page]()
      .then(
        () => {
          say('', '');
          root.setAttribute('data-loaded', 'true');
        },
        (error) => {
          say('error', error.message);
          root.setAttribute('data-loaded', 'error');
        },
      )
      .then(() => {
        root.removeAttribute('aria-busy');
      });
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    load();
  });
  window.addEventListener('resize', () => {
    Object.keys(charts).forEach((id) => {
      charts[id].resize();
    });
  });
  if (keyInput.value) load();
})();
