// Fleet pages: the drives list, one drive with its history, and the flags inbox. Reads the key and fleet from the
// form (the key stays in sessionStorage), calls /v1/fleets/* with it and draws the charts with ECharts. No build step.
(() => {
  var root = document.querySelector('[data-fleet-page]');
  if (!root) return;
  var page = root.getAttribute('data-fleet-page');
  var form = document.getElementById('fleet-filters');
  var status = document.getElementById('fleet-status');
  var keyInput = document.getElementById('f-key');
  var params = new URLSearchParams(location.search);
  var pageSize = 25;
  var offset = 0;
  var charts = {};
  keyInput.value = sessionStorage.getItem('wearwatch.key') || '';
  Array.from(form.elements).forEach((el) => {
    if (el.name && el.name !== 'key' && params.get(el.name)) el.value = params.get(el.name);
  });

  function say(kind, text) {
    status.hidden = !text;
    status.className = 'notice ' + kind;
    status.textContent = text || '';
  }

  function value(name) {
    var el = document.getElementById('f-' + name);
    return el ? el.value.trim() : '';
  }

  function call(method, path, body) {
    var headers = { authorization: 'Bearer ' + keyInput.value.trim() };
    if (body) headers['content-type'] = 'application/json';
    return fetch(path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined }).then((res) =>
      res.status === 204
        ? null
        : res.json().then((data) => {
            if (!res.ok) {
              const fields = data.error?.fields || [];
              throw new Error((data.error ? data.error.message : res.statusText) + fields.map((f) => ' — ' + f.field + ': ' + f.message).join(''));
            }
            return data;
          }),
    );
  }

  function fleetPath() {
    return '/v1/fleets/' + encodeURIComponent(value('fleet'));
  }

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    Object.keys(attrs || {}).forEach((k) => {
      node.setAttribute(k, attrs[k]);
    });
    return node;
  }

  /** A table of rows; each column is [heading, row → text or node]. */
  function table(target, columns, rows, empty) {
    var box = document.getElementById(target);
    box.textContent = '';
    if (!rows.length) {
      box.appendChild(el('p', empty, { class: 'hint' }));
      return;
    }
    var t = el('table');
    var head = el('tr');
    columns.forEach((c) => {
      head.appendChild(el('th', c[0], { scope: 'col' }));
    });
    t.appendChild(el('thead')).appendChild(head);
    var body = t.appendChild(el('tbody'));
    rows.forEach((r) => {
      var tr = body.appendChild(el('tr'));
      columns.forEach((c) => {
        var v = c[1](r);
        var td = tr.appendChild(el('td'));
        if (v instanceof Node) td.appendChild(v);
        else td.textContent = v === null || v === undefined ? '—' : String(v);
      });
    });
    box.appendChild(t);
  }

  function pct(v) {
    return v === null || v === undefined ? null : Number(v).toFixed(1) + ' %';
  }

  function driveLink(serial) {
    return el('a', serial, { href: '/fleet/drive?fleet=' + encodeURIComponent(value('fleet')) + '&serial=' + encodeURIComponent(serial) });
  }

  function pager(total) {
    document.getElementById('page-of').textContent = total ? 'page ' + (offset / pageSize + 1) + ' of ' + Math.ceil(total / pageSize) : '';
    document.getElementById('prev').disabled = offset === 0;
    document.getElementById('next').disabled = offset + pageSize >= total;
  }

  /** Acknowledge and snooze controls for one raised flag; both ask why. */
  function flagActions(serial, f, reload) {
    var box = el('span', null, { class: 'flag-actions' });
    var path = fleetPath() + '/drives/' + encodeURIComponent(serial) + '/flags/' + f.flag;
    var reason = el('input', null, { type: 'text', placeholder: 'why', 'aria-label': 'Reason for ' + f.flag + ' on ' + serial, maxlength: '500' });
    var ack = el('button', 'Acknowledge', { type: 'button' });
    var snooze = el('button', 'Snooze 7 days', { type: 'button' });
    var act = (kind) => {
      var body = { reason: reason.value.trim() || 'acknowledged on the fleet pages' };
      if (kind === 'snooze') body.until = new Date(Date.now() + 7 * 86400000).toISOString();
      call('POST', path + '/' + (kind === 'snooze' ? 'snooze' : 'acknowledge'), body)
        .then(() => {
          say('ok', f.flag.replace(/_/g, ' ') + ' on ' + serial + (kind === 'snooze' ? ' snoozed' : ' acknowledged'));
          reload();
        })
        .catch((e) => say('error', e.message));
    };
    ack.addEventListener('click', () => act('ack'));
    snooze.addEventListener('click', () => act('snooze'));
    if (f.state === 'open') {
      [reason, ack, snooze].forEach((n) => {
        box.appendChild(n);
      });
    } else {
      const lift = el('button', 'Lift', { type: 'button' });
      lift.addEventListener('click', () =>
        call('DELETE', path + '/acknowledgement')
          .then(reload)
          .catch((e) => say('error', e.message)),
      );
      box.appendChild(lift);
    }
    return box;
  }

  function stateText(f) {
    if (f.state === 'open') return 'open';
    return f.state + ' by ' + f.ack.by + (f.ack.until ? ' until ' + f.ack.until.slice(0, 10) : '') + (f.ack.reason ? ' — ' + f.ack.reason : '');
  }

  function loadDrives() {
    var q = new URLSearchParams({ limit: String(pageSize), offset: String(offset) });
    ['q', 'status', 'flag', 'model', 'level'].forEach((n) => {
      if (value(n)) q.set(n, value(n));
    });
    document.getElementById('inbox-link').href = '/fleet/inbox?fleet=' + encodeURIComponent(value('fleet'));
    return call('GET', fleetPath() + '/drives?' + q).then((data) => {
      document.getElementById('drives-count').textContent = data.total + ' drive(s) match';
      table(
        'drives-table',
        [
          ['Serial', (d) => driveLink(d.serial)],
          ['Model', (d) => d.model],
          ['Wear used', (d) => pct(d.wear_pct)],
          ['Level', (d) => d.wear_level],
          ['Flags', (d) => d.flags.map((f) => f.replace(/_/g, ' ')).join(', ')],
          ['Warranty', (d) => d.warranty_status],
          ['Coverage ends', (d) => d.coverage_end],
          ['Last report', (d) => (d.last_seen ? d.last_seen.slice(0, 16).replace('T', ' ') : null)],
        ],
        data.drives,
        'No drive matches these filters.',
      );
      pager(data.total);
    });
  }

  function loadInbox() {
    var q = new URLSearchParams({ limit: String(pageSize), offset: String(offset) });
    ['state', 'flag', 'level'].forEach((n) => {
      if (value(n)) q.set(n, value(n));
    });
    return call('GET', fleetPath() + '/inbox?' + q).then((data) => {
      document.getElementById('inbox-count').textContent = data.total + ' flag(s)';
      table(
        'inbox-table',
        [
          ['Serial', (f) => driveLink(f.serial)],
          ['Flag', (f) => f.flag.replace(/_/g, ' ')],
          ['Level', (f) => f.level],
          ['Value', (f) => Number(f.value).toFixed(1)],
          ['Threshold', (f) => f.threshold],
          ['Since', (f) => (f.raised_at ? f.raised_at.slice(0, 10) : null)],
          ['State', stateText],
          ['', (f) => flagActions(f.serial, f, refresh)],
        ],
        data.flags,
        'No raised flags.',
      );
      pager(data.total);
    });
  }

  function draw(id, option) {
    if (!charts[id]) charts[id] = echarts.init(document.getElementById(id), null, { renderer: 'canvas' });
    charts[id].setOption(Object.assign({ animation: false, tooltip: { trigger: 'axis' }, grid: { left: 60, right: 20, top: 20, bottom: 30 } }, option), true);
  }

  function series(samples, pick, name, unit, extra) {
    var points = samples.filter((s) => pick(s) !== null && pick(s) !== undefined).map((s) => [s.collected_at, Number(pick(s))]);
    draw(
      extra.id,
      Object.assign(
        {
          xAxis: { type: 'time' },
          yAxis: { type: 'value', name: unit, scale: true },
          series: [Object.assign({ name: name, type: 'line', showSymbol: points.length < 40, data: points }, extra.series || {})],
        },
        extra.option || {},
      ),
    );
  }

  function loadDrive() {
    var serial = value('serial');
    var base = fleetPath() + '/drives/' + encodeURIComponent(serial);
    return Promise.all([
      call('GET', base),
      call('GET', base + '/telemetry?limit=2000'),
      call('GET', fleetPath() + '/inbox?serial=' + encodeURIComponent(serial)),
    ]).then((all) => {
      var drive = all[0];
      var samples = all[1].samples.slice().reverse();
      var w = drive.warranty;
      var wear = w.wear || {};
      var limit = wear.limit;
      var metricField = wear.metric === 'pe' ? 'avg_pe_cycles' : 'host_bytes_written';
      series(samples, (s) => (limit && s[metricField] !== null ? (s[metricField] / limit) * 100 : null), 'wear used', '%', { id: 'wear-chart' });
      var t = w.temperature || {};
      var marks = [t.rated_min, t.rated_max].filter((v) => v !== null && v !== undefined).map((v) => ({ yAxis: v }));
      series(samples, (s) => s.temperature_c, 'temperature', '°C', {
        id: 'temp-chart',
        series: { markLine: { silent: true, symbol: 'none', data: marks, lineStyle: { color: '#b00020', type: 'dashed' } } },
      });
      series(samples, (s) => s.media_errors, 'media errors', 'errors', { id: 'media-chart' });
      series(samples, (s) => s.available_spare_pct, 'available spare', '%', { id: 'spare-chart' });
      var facts = document.getElementById('warranty-facts');
      facts.textContent = '';
      var dl = facts.appendChild(el('dl', null, { class: 'facts' }));
      [
        ['Status', w.status + (w.status_reason ? ' — ' + w.status_reason.code.replace(/_/g, ' ') + ' (' + w.status_reason.clause + ')' : '')],
        [
          'Coverage',
          (w.coverage.start || '?') + ' to ' + (w.coverage.end || '?') + (w.coverage.days_left !== null ? ' (' + w.coverage.days_left + ' days left)' : ''),
        ],
        [
          'Wear used',
          wear.used_pct !== undefined && wear.used_pct !== null
            ? pct(wear.used_pct) + ' of the ' + (wear.metric || '').toUpperCase() + ' rating'
            : 'no reading',
        ],
        ['Projected wear-out', wear.projected_wearout || '—'],
        ['Claim eligible', w.claim ? (w.claim.eligible ? 'yes' : 'no') : '—'],
      ].forEach((row) => {
        dl.appendChild(el('dt', row[0]));
        dl.appendChild(el('dd', row[1]));
      });
      table(
        'rma-table',
        [
          ['RMA', (e) => e.rma_number],
          ['Event', (e) => e.event_type],
          ['At', (e) => (e.occurred_at || '').slice(0, 10)],
          ['Findings', (e) => (e.findings || []).join(', ')],
        ],
        drive.rma,
        'No RMA history.',
      );
      table(
        'flags-table',
        [
          ['Flag', (f) => f.flag.replace(/_/g, ' ')],
          ['Level', (f) => f.level],
          ['Value', (f) => Number(f.value).toFixed(1)],
          ['Threshold', (f) => f.threshold],
          ['State', stateText],
          ['', (f) => flagActions(serial, f, refresh)],
        ],
        all[2].flags,
        'No flags raised.',
      );
    });
  }

  var loaders = { drives: loadDrives, drive: loadDrive, inbox: loadInbox };
  function refresh() {
    root.removeAttribute('data-loaded');
    say('', '');
    return loaders[page]()
      .then(() => root.setAttribute('data-loaded', 'true'))
      .catch((e) => {
        say('error', e.message);
        root.setAttribute('data-loaded', 'false');
      });
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem('wearwatch.key', keyInput.value.trim());
    offset = 0;
    refresh();
  });
  ['prev', 'next'].forEach((id) => {
    var button = document.getElementById(id);
    if (!button) return;
    button.addEventListener('click', () => {
      offset = Math.max(0, offset + (id === 'next' ? pageSize : -pageSize));
      refresh();
    });
  });
  window.addEventListener('resize', () => {
    Object.keys(charts).forEach((id) => {
      charts[id].resize();
    });
  });
  if (keyInput.value && value('fleet') && (page !== 'drive' || value('serial'))) refresh();
})();
