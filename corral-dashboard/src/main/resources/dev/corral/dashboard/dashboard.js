// The Corral dashboard page: one card per source with four uPlot charts, filled from the history
// and then kept up to date by server-sent events (/events), or by polling /api/pools where those
// cannot be had (no EventSource, too many streams, a proxy that buffers). Add ?poll to the URL to
// poll on purpose. window.corralDashboard tells tests and curious users what the page has seen.
(function () {
  'use strict';

  var CHARTS = [
    { title: 'Workers', series: [
      ['workers', 'live', '#2b6cb0'], ['busyWorkers', 'busy', '#38a169'], ['targetWorkers', 'target', '#a0aec0']] },
    { title: 'Queue depth', series: [['queued', 'queued', '#dd6b20']] },
    { title: 'Throughput (tasks/s)', series: [['throughput', 'completed/s', '#2b6cb0']] },
    { title: 'Latency (ms)', series: [
      ['p50Millis', 'p50', '#38a169'], ['p99Millis', 'p99', '#e53e3e'],
      ['queueWaitP99Millis', 'p99 queue wait', '#dd6b20']] },
    { title: 'Rejections (/s)', series: [['rejectionsPerSecond', 'rejected/s', '#d69e2e']] },
    { title: 'Failures (/s)', series: [['failuresPerSecond', 'failed or timed out/s', '#c53030']] }
  ];
  var FIELDS = ['workers', 'busyWorkers', 'targetWorkers', 'queued', 'throughput', 'failuresPerSecond',
    'rejectionsPerSecond', 'p50Millis', 'p99Millis', 'queueWaitP99Millis'];

  var state = { mode: 'connecting', updates: 0, intervalMillis: 1000, maxPoints: 600, lastEventId: 0,
    panels: new Map(), source: null, pollTimer: null, errors: 0 };

  window.corralDashboard = {
    get mode() { return state.mode; },
    get updates() { return state.updates; },
    pools: function () { return Array.from(state.panels.keys()); },
    points: function (name) { var p = state.panels.get(name); return p ? p.data.time.length : 0; },
    last: function (name, field) {
      var p = state.panels.get(name);
      var column = p && p.data[field];
      return column && column.length ? column[column.length - 1] : null;
    }
  };

  var poolsEl = document.getElementById('pools');
  var emptyEl = document.getElementById('empty');

  function setMode(mode) {
    state.mode = mode;
    var el = document.getElementById('status');
    el.dataset.mode = mode;
    el.textContent = { live: 'live (server-sent events)', polling: 'polling', offline: 'server unreachable',
      connecting: 'connecting' }[mode] || mode;
  }

  function emptyData() {
    var d = { time: [] };
    FIELDS.forEach(function (f) { d[f] = []; });
    return d;
  }

  // -1 means "no such bound" in the JSON; a chart shows nothing rather than a line at -1.
  function value(field, v) {
    return v === undefined || v === null || (field === 'targetWorkers' && v < 0) ? null : v;
  }

  // Counts, rates and latencies: starting at zero keeps a wobble from looking like a cliff.
  function fromZero(u, min, max) {
    return [Math.min(0, min || 0), max > 0 ? max * 1.1 : 1];
  }

  // The grid (dashboard.css) decides each chart's box; the chart fills its box's width.
  function chartWidth(box) {
    return Math.max(240, box.clientWidth);
  }

  function createPanel(name, kind) {
    var el = document.createElement('section');
    el.className = 'pool';
    el.dataset.name = name;
    el.dataset.points = '0';
    var h = document.createElement('h2');
    h.textContent = name;
    var k = document.createElement('span');
    k.className = 'kind';
    k.textContent = kind;
    h.appendChild(k);
    var numbers = document.createElement('div');
    numbers.className = 'numbers';
    var charts = document.createElement('div');
    charts.className = 'charts';
    el.appendChild(h);
    el.appendChild(numbers);
    el.appendChild(charts);
    poolsEl.appendChild(el);
    emptyEl.hidden = true;
    var panel = { name: name, el: el, numbersEl: numbers, chartsEl: charts, data: emptyData(), plots: [],
      loading: true, pending: [] };
    CHARTS.forEach(function (c) {
      var box = document.createElement('div');
      box.className = 'chart';
      charts.appendChild(box);
      var opts = {
        title: c.title, width: chartWidth(box), height: 200,
        scales: { x: { time: true }, y: { range: fromZero } },
        series: [{}].concat(c.series.map(function (s) {
          return { label: s[1], stroke: s[2], width: 2, dash: s[0] === 'targetWorkers' ? [6, 4] : undefined,
            spanGaps: false };
        })),
        axes: [{}, { size: 56 }]
      };
      panel.plots.push({ spec: c, box: box, plot: new uPlot(opts, plotData(panel.data, c), box) });
    });
    state.panels.set(name, panel);
    loadHistory(panel);
    return panel;
  }

  function plotData(d, c) {
    return [d.time].concat(c.series.map(function (s) { return d[s[0]]; }));
  }

  function redraw(panel) {
    panel.plots.forEach(function (p) { p.plot.setData(plotData(panel.data, p.spec)); });
    panel.el.dataset.points = String(panel.data.time.length);
  }

  function appendPoint(panel, point) {
    var t = point.time / 1000;
    var times = panel.data.time;
    if (times.length && t <= times[times.length - 1]) {
      return false;
    }
    times.push(t);
    FIELDS.forEach(function (f) { panel.data[f].push(value(f, point[f])); });
    if (times.length > state.maxPoints) {
      Object.keys(panel.data).forEach(function (f) { panel.data[f].shift(); });
    }
    return true;
  }

  function showNumbers(panel, pool) {
    var p = pool.latest;
    if (!p) {
      return;
    }
    function fmt(v, digits) { return v === null || v === undefined ? '–' : Number(v).toFixed(digits); }
    var items = [
      ['workers', p.workers + (p.targetWorkers >= 0 ? ' / ' + p.targetWorkers : '')],
      ['busy', p.busyWorkers], ['queued', p.queued],
      ['tasks/s', fmt(p.throughput, 0)], ['p50 ms', fmt(p.p50Millis, 2)], ['p99 ms', fmt(p.p99Millis, 2)],
      ['rejected/s', fmt(p.rejectionsPerSecond, 1)], ['failed/s', fmt(p.failuresPerSecond, 1)]
    ];
    if (pool.totals) {
      items.push(['completed', pool.totals.completed.toLocaleString('en')]);
    }
    panel.numbersEl.textContent = '';
    items.forEach(function (it) {
      var s = document.createElement('span');
      s.appendChild(document.createTextNode(it[0] + ' '));
      var b = document.createElement('b');
      b.textContent = String(it[1]);
      s.appendChild(b);
      panel.numbersEl.appendChild(s);
    });
    if (pool.readFailures > 0) {
      var e = document.createElement('span');
      e.className = 'error';
      e.textContent = pool.readFailures + ' failed reads, last: ' + pool.lastError;
      panel.numbersEl.appendChild(e);
    }
  }

  function loadHistory(panel) {
    panel.loading = true;
    fetch('api/pools/' + encodeURIComponent(panel.name) + '/history', { cache: 'no-store' })
      .then(function (r) { if (!r.ok) { throw new Error('HTTP ' + r.status); } return r.json(); })
      .then(function (h) {
        var d = emptyData();
        d.time = h.series.time.map(function (ms) { return ms / 1000; });
        FIELDS.forEach(function (f) { d[f] = h.series[f].map(function (v) { return value(f, v); }); });
        panel.data = d;
      })
      .catch(function () { /* the next update fills in from here on */ })
      .then(function () {
        panel.loading = false;
        panel.pending.forEach(function (p) { appendPoint(panel, p); });
        panel.pending = [];
        redraw(panel);
      });
  }

  // One document from /api/pools or an event: every source and its newest point.
  function apply(doc) {
    state.intervalMillis = doc.intervalMillis || state.intervalMillis;
    var seen = new Set();
    doc.pools.forEach(function (pool) {
      seen.add(pool.name);
      var panel = state.panels.get(pool.name) || createPanel(pool.name, pool.kind);
      showNumbers(panel, pool);
      if (!pool.latest) {
        return;
      }
      if (panel.loading) {
        panel.pending.push(pool.latest);
      } else if (appendPoint(panel, pool.latest)) {
        redraw(panel);
      }
    });
    state.panels.forEach(function (panel, name) {
      if (!seen.has(name)) {
        panel.el.remove();
        state.panels.delete(name);
      }
    });
    emptyEl.hidden = state.panels.size > 0;
    state.updates++;
    var u = document.getElementById('updates');
    u.textContent = String(state.updates);
    u.dataset.count = String(state.updates);
    document.getElementById('clock').textContent = new Date(doc.time).toLocaleTimeString();
  }

  function poll() {
    if (state.pollTimer !== null) {
      return;
    }
    if (state.source) {
      state.source.close();
      state.source = null;
    }
    setMode('polling');
    var tick = function () {
      fetch('api/pools', { cache: 'no-store' })
        .then(function (r) { if (!r.ok) { throw new Error('HTTP ' + r.status); } return r.json(); })
        .then(function (doc) { setMode('polling'); apply(doc); })
        .catch(function () { setMode('offline'); })
        .then(function () { state.pollTimer = setTimeout(tick, state.intervalMillis); });
    };
    state.pollTimer = setTimeout(tick, 0);
  }

  function listen() {
    var es = new EventSource('events');
    state.source = es;
    es.addEventListener('sample', function (e) {
      state.errors = 0;
      setMode('live');
      var id = Number(e.lastEventId);
      var gap = state.lastEventId > 0 && id > state.lastEventId + 1;
      state.lastEventId = id;
      apply(JSON.parse(e.data));
      if (gap) { // missed rounds: their points are in the history
        state.panels.forEach(loadHistory);
      }
    });
    es.onerror = function () {
      // The browser reconnects by itself; a stream that keeps failing (503: too many streams, or a
      // proxy that buffers) is given up for polling.
      if (++state.errors >= 3 || es.readyState === EventSource.CLOSED) {
        poll();
      } else {
        setMode('connecting');
      }
    };
  }

  window.addEventListener('resize', function () {
    state.panels.forEach(function (panel) {
      panel.plots.forEach(function (p) { p.plot.setSize({ width: chartWidth(p.box), height: 200 }); });
    });
  });

  fetch('api/pools', { cache: 'no-store' })
    .then(function (r) { return r.json(); })
    .then(function (doc) { apply(doc); })
    .catch(function () { setMode('offline'); })
    .then(function () {
      if (typeof EventSource === 'undefined' || /[?&]poll\b/.test(location.search)) {
        poll();
      } else {
        listen();
      }
    });
})();
