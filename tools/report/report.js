// hotspan report: renders the span data of #hotspan-data (see report.html and
// tools/report_data.hpp for its layout) with plain DOM calls.
//
// Every string of the data came from a trace file and is hostile: it reaches
// the page only through textContent, attribute values set with setAttribute,
// or document.title — never innerHTML. The trace list is paginated and the
// waterfall draws its rows in chunks, so that a report of 100,000 spans stays
// responsive; what the data leaves out (the tool's --max-spans) is said on the
// page with counts.
'use strict';

(function () {
  const started = performance.now();
  const TRACES_PER_PAGE = 100;
  const WATERFALL_CHUNK = 500;  // waterfall rows drawn at once, then "show more"
  const PALETTE = ['#2f6fde', '#e07b00', '#2e9d57', '#8e44ad', '#d81b60', '#00838f',
                   '#6d4c41', '#5c6bc0', '#9e9d24', '#546e7a'];
  const STATUS = ['unset', 'ok', 'error'];
  const ENTRY = ['', 'root', 'orphan: parent not in the inputs', 'in a parent cycle'];

  // Span columns (see tools/report_data.hpp).
  const S_DEPTH = 0, S_NAME = 1, S_SERVICE = 2, S_START = 3, S_DURATION = 4, S_STATUS = 5,
        S_KIND = 6, S_MESSAGE = 7, S_ENTRY = 8, S_ID = 9, S_PARENT = 10, S_THREAD = 11,
        S_ATTRIBUTES = 12, S_EVENTS = 13;
  // Trace columns.
  const T_ID = 0, T_NAME = 1, T_START = 2, T_DURATION = 3, T_SPANS = 4, T_ERRORS = 5,
        T_SERVICES = 6, T_FIRST_SPAN = 7, T_HAS_ROOT = 8;
  // Operation columns.
  const O_NAME = 0, O_COUNT = 1, O_ERRORS = 2, O_MIN = 3, O_P50 = 4, O_P95 = 5, O_P99 = 6,
        O_MAX = 7, O_TOTAL = 8, O_BUCKETS = 9, O_TEXT = 10;

  // ---- DOM helpers: text only ------------------------------------------------
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function cell(row, className, text) {
    return row.appendChild(el('td', className, text));
  }
  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }
  function byId(id) {
    return document.getElementById(id);
  }

  // ---- formatting --------------------------------------------------------------
  // As the library's format_duration: three significant digits in the largest unit
  // (an exact tie may round up here where the tool rounds to even; the
  // operation table shows the tool's own text).
  function formatDuration(ns) {
    function three(value, unit) {
      const decimals = value < 9.995 ? 2 : value < 99.95 ? 1 : 0;
      return value.toFixed(decimals) + ' ' + unit;
    }
    if (ns < 1000) return Math.round(ns) + ' ns';
    if (ns < 999.5e3) return three(ns / 1e3, 'µs');
    if (ns < 999.5e6) return three(ns / 1e6, 'ms');
    if (ns < 59.95e9) return three(ns / 1e9, 's');
    if (ns < 59.95 * 60e9) return three(ns / 60e9, 'min');
    return three(ns / 3600e9, 'h');
  }
  function plural(n, one, many) {
    return n.toLocaleString('en-US') + ' ' + (n === 1 ? one : many);
  }
  function formatClock(baseMs, offsetNs) {
    const date = new Date(baseMs + offsetNs / 1e6);
    if (isNaN(date.getTime())) return '';
    return date.toISOString().replace('T', ' ').replace('Z', '');
  }
  // Attribute values: [string index] for strings, else the number or boolean.
  function attributeText(value) {
    return Array.isArray(value) ? data.strings[value[0]] : JSON.stringify(value);
  }
  function attributesText(attributes) {
    return attributes.map(function (a) {
      return data.strings[a[0]] + '=' + attributeText(a[1]);
    }).join(' ');
  }

  // ---- data ----------------------------------------------------------------------
  function readData() {
    const text = byId('hotspan-data').textContent;
    return JSON.parse(text);
  }

  const data = readData();
  const status = byId('hotspan-status');
  if (data === null) {
    byId('summary').textContent =
        'No data: this is the page template. Run `hotspan report FILE... -o report.html`.';
    status.setAttribute('data-state', 'empty');
    return;
  }
  const baseMs = Number(data.base_unix_ns) / 1e6;
  const services = data.services;

  function serviceColor(index) {
    return PALETTE[index % PALETTE.length];
  }
  function serviceChip(index) {
    const chip = el('span', 'chip', services[index] === '' ? '(no service)' : services[index]);
    chip.style.background = serviceColor(index);
    chip.setAttribute('title', services[index]);
    return chip;
  }

  // ---- header --------------------------------------------------------------------
  function renderHeader() {
    document.title = data.title;
    byId('title').textContent = data.title;
    const inputs = data.inputs.map(function (input) { return input.name; });
    byId('summary').textContent =
        plural(data.span_count, 'span', 'spans') + ' in ' + plural(data.trace_count, 'trace', 'traces') +
        ' from ' + plural(inputs.length, 'input', 'inputs') + ' (' + inputs.join(', ') + '); ' +
        plural(services.length, 'service', 'services') + '. Written by ' + data.generator + '.';
    const notes = byId('notes');
    for (const input of data.inputs) {
      if (input.problem) notes.appendChild(el('li', 'damage', input.name + ': ' + input.problem));
    }
    if (data.embedded_trace_count < data.trace_count) {
      notes.appendChild(el('li', 'truncated',
          'The page holds ' + data.embedded_trace_count.toLocaleString('en-US') + ' of ' +
          plural(data.trace_count, 'trace', 'traces') + ' (' +
          data.embedded_span_count.toLocaleString('en-US') + ' of ' +
          plural(data.span_count, 'span', 'spans') + '; at most ' +
          data.max_spans.toLocaleString('en-US') +
          ' spans, whole traces, those with errors first, then the slowest: ' +
          'hotspan report --max-spans raises it). ' +
          'The latency table below covers every span.'));
    }
  }

  // ---- trace list ------------------------------------------------------------------
  const traceOrder = {
    start: function (a, b) { return data.traces[a][T_START] - data.traces[b][T_START] || a - b; },
    duration: function (a, b) {
      return data.traces[b][T_DURATION] - data.traces[a][T_DURATION] || a - b;
    },
    errors: function (a, b) {
      return data.traces[b][T_ERRORS] - data.traces[a][T_ERRORS] ||
             data.traces[b][T_DURATION] - data.traces[a][T_DURATION] || a - b;
    },
    spans: function (a, b) { return data.traces[b][T_SPANS] - data.traces[a][T_SPANS] || a - b; },
  };
  const list = { indexes: [], page: 0, selected: -1 };

  function traceMatches(trace, needle) {
    if (trace[T_ID].indexOf(needle) >= 0 || trace[T_NAME].toLowerCase().indexOf(needle) >= 0) {
      return true;
    }
    return trace[T_SERVICES].some(function (s) { return services[s].toLowerCase().indexOf(needle) >= 0; });
  }

  function updateTraceList() {
    const needle = byId('trace-filter').value.trim().toLowerCase();
    const indexes = [];
    for (let i = 0; i < data.traces.length; ++i) {
      if (needle === '' || traceMatches(data.traces[i], needle)) indexes.push(i);
    }
    indexes.sort(traceOrder[byId('trace-sort').value] || traceOrder.start);
    list.indexes = indexes;
    list.page = 0;
    renderTracePage();
  }

  function renderTracePage() {
    const body = byId('trace-rows');
    clear(body);
    const pages = Math.max(1, Math.ceil(list.indexes.length / TRACES_PER_PAGE));
    list.page = Math.min(Math.max(0, list.page), pages - 1);
    const first = list.page * TRACES_PER_PAGE;
    const last = Math.min(list.indexes.length, first + TRACES_PER_PAGE);
    for (let k = first; k < last; ++k) {
      const index = list.indexes[k];
      const trace = data.traces[index];
      const row = el('tr', 'trace-row' + (trace[T_ERRORS] > 0 ? ' has-errors' : ''));
      if (index === list.selected) row.classList.add('selected');
      row.setAttribute('data-trace', trace[T_ID]);
      cell(row, 'mono', formatClock(baseMs, trace[T_START]));
      cell(row, 'mono', trace[T_ID]);
      cell(row, 'name', trace[T_NAME] + (trace[T_HAS_ROOT] ? '' : ' (no root)'));
      const servicesCell = cell(row, 'services');
      for (const s of trace[T_SERVICES]) servicesCell.appendChild(serviceChip(s));
      cell(row, 'number', formatDuration(trace[T_DURATION]));
      cell(row, 'number', trace[T_SPANS]);
      cell(row, 'number errors', trace[T_ERRORS]);
      row.addEventListener('click', function () { selectTrace(index, true); });
      body.appendChild(row);
    }
    if (list.indexes.length === 0) {
      const row = body.appendChild(el('tr'));
      const note = cell(row, 'empty-note', data.traces.length === 0 ? 'No traces.' : 'No trace matches.');
      note.colSpan = 7;
    }
    byId('page-label').textContent = 'page ' + (list.page + 1) + ' of ' + pages + ' · ' +
        plural(list.indexes.length, 'trace', 'traces');
    byId('page-previous').disabled = list.page === 0;
    byId('page-next').disabled = list.page + 1 >= pages;
  }

  // ---- waterfall ---------------------------------------------------------------------
  // wantedSpan: the id of a span to select once its row is drawn (#trace=ID&span=ID).
  const waterfall = { trace: -1, shown: 0, selectedRow: null, wantedSpan: null };

  function selectTrace(index, fromList) {
    list.selected = index;
    waterfall.trace = index;
    waterfall.shown = 0;
    waterfall.selectedRow = null;
    if (fromList) {
      for (const row of byId('trace-rows').children) {
        row.classList.toggle('selected', row.getAttribute('data-trace') === data.traces[index][T_ID]);
      }
      history.replaceState(null, '', '#trace=' + data.traces[index][T_ID]);
    }
    renderWaterfall();
  }

  function renderWaterfall() {
    const box = byId('waterfall');
    clear(box);
    clear(byId('waterfall-legend'));
    clear(byId('span-details'));
    if (waterfall.trace < 0) {
      byId('waterfall-title').textContent = '';
      box.appendChild(el('div', 'empty-note', 'No trace selected.'));
      return;
    }
    const trace = data.traces[waterfall.trace];
    byId('waterfall-title').textContent = trace[T_ID] + ' · ' + trace[T_NAME] + ' · ' +
        formatDuration(trace[T_DURATION]) + ' · ' + plural(trace[T_SPANS], 'span', 'spans') +
        (trace[T_ERRORS] > 0 ? ' · ' + plural(trace[T_ERRORS], 'error', 'errors') : '');
    const legend = byId('waterfall-legend');
    legend.appendChild(document.createTextNode('services: '));
    for (const s of trace[T_SERVICES]) legend.appendChild(serviceChip(s));

    const axis = box.appendChild(el('div', 'wf-axis'));
    axis.appendChild(el('div', 'wf-head', 'span'));
    axis.appendChild(el('div', 'wf-head', 'service'));
    const ticks = axis.appendChild(el('div', 'wf-ticks'));
    for (let i = 0; i <= 4; ++i) {
      const tick = ticks.appendChild(el('span', 'wf-tick', formatDuration(trace[T_DURATION] * i / 4)));
      tick.style.left = (i * 25) + '%';
    }
    axis.appendChild(el('div', 'wf-head wf-duration', 'duration'));
    const rows = box.appendChild(el('div', 'wf-rows'));
    appendWaterfallRows(rows);
  }

  function appendWaterfallRows(rows) {
    const trace = data.traces[waterfall.trace];
    const total = Math.max(1, trace[T_DURATION]);
    const end = Math.min(trace[T_SPANS], waterfall.shown + WATERFALL_CHUNK);
    const more = rows.querySelector('.wf-more');
    if (more) more.remove();
    for (let k = waterfall.shown; k < end; ++k) {
      const span = data.spans[trace[T_FIRST_SPAN] + k];
      const spanName = data.strings[span[S_NAME]];
      const error = span[S_STATUS] === 2;
      const row = el('div', 'wf-row' + (error ? ' error' : ''));
      const name = row.appendChild(el('div', 'wf-name'));
      name.style.paddingLeft = (6 + Math.min(span[S_DEPTH], 40) * 14) + 'px';
      name.appendChild(el('span', 'label', spanName));
      if (span[S_ENTRY] >= 2) name.appendChild(el('span', 'note', '(' + ENTRY[span[S_ENTRY]] + ')'));
      name.setAttribute('title', spanName);
      row.appendChild(el('div', 'wf-service')).appendChild(serviceChip(span[S_SERVICE]));
      const track = row.appendChild(el('div', 'wf-track'));
      const bar = track.appendChild(el('div', 'wf-bar' + (error ? ' error' : '')));
      bar.style.left = (100 * span[S_START] / total) + '%';
      bar.style.width = (100 * span[S_DURATION] / total) + '%';
      bar.style.background = serviceColor(span[S_SERVICE]);
      row.appendChild(el('div', 'wf-duration', formatDuration(span[S_DURATION])));
      const select = function () {
        if (waterfall.selectedRow) waterfall.selectedRow.classList.remove('selected');
        row.classList.add('selected');
        waterfall.selectedRow = row;
        renderSpanDetails(span, trace);
      };
      row.addEventListener('click', select);
      rows.appendChild(row);
      if (span[S_ID] === waterfall.wantedSpan) select();
    }
    waterfall.shown = end;
    if (end < trace[T_SPANS]) {
      const button = el('button', null, 'show ' + Math.min(WATERFALL_CHUNK, trace[T_SPANS] - end) +
                        ' more of ' + plural(trace[T_SPANS] - end, 'span', 'spans') + ' left');
      button.type = 'button';
      button.addEventListener('click', function () { appendWaterfallRows(rows); });
      rows.appendChild(el('div', 'wf-more')).appendChild(button);
    }
  }

  function renderSpanDetails(span, trace) {
    const box = byId('span-details');
    clear(box);
    const table = box.appendChild(el('table'));
    function field(label, value, className) {
      const row = table.appendChild(el('tr'));
      row.appendChild(el('th', null, label));
      cell(row, className || 'name', value);
    }
    const message = data.strings[span[S_MESSAGE]];
    field('name', data.strings[span[S_NAME]]);
    field('service', services[span[S_SERVICE]]);
    field('kind', data.strings[span[S_KIND]]);
    field('status', STATUS[span[S_STATUS]] + (message ? ': ' + message : ''));
    field('start', '+' + formatDuration(span[S_START]) + ' into the trace');
    field('duration', formatDuration(span[S_DURATION]));
    field('span id', span[S_ID], 'mono');
    // The parent: its position in the trace, or its id when it is not in the inputs.
    const parent = typeof span[S_PARENT] === 'number'
        ? data.spans[trace[T_FIRST_SPAN] + span[S_PARENT]][S_ID] : span[S_PARENT];
    field('parent span id', parent || '(none: a root span)', 'mono');
    if (span[S_ENTRY] >= 2) field('placement', ENTRY[span[S_ENTRY]]);
    field('thread', span[S_THREAD], 'mono');
    for (const attribute of span[S_ATTRIBUTES]) {
      field(data.strings[attribute[0]], attributeText(attribute[1]));
    }
    for (const event of span[S_EVENTS]) {
      field('event +' + formatDuration(event[1]),
            data.strings[event[0]] + (event[2].length ? ' ' + attributesText(event[2]) : ''));
    }
  }

  // ---- operations --------------------------------------------------------------------
  function renderOperations() {
    const body = byId('operation-rows');
    for (const op of data.operations) {
      const row = body.appendChild(el('tr', 'op-row'));
      cell(row, 'name op-name', op[O_NAME]);
      cell(row, 'number', op[O_COUNT]);
      cell(row, 'number errors' + (op[O_ERRORS] > 0 ? ' nonzero' : ''), op[O_ERRORS]);
      const text = op[O_TEXT];  // formatted by the tool, exactly as `hotspan stats`
      cell(row, 'number op-min', text[0]);
      cell(row, 'number op-p50', text[1]);
      cell(row, 'number op-p95', text[2]);
      cell(row, 'number op-p99', text[3]);
      cell(row, 'number op-max', text[4]);
      cell(row, 'number', text[5]);
      const histogram = cell(row, null).appendChild(el('div', 'histogram'));
      const buckets = op[O_BUCKETS];
      const highest = Math.max.apply(null, buckets);
      const ratio = op[O_MAX] / Math.max(1, op[O_MIN]);
      for (let i = 0; i < buckets.length; ++i) {
        const bar = histogram.appendChild(el('div', 'bucket' + (buckets[i] === 0 ? ' empty' : '')));
        bar.style.height = (buckets[i] === 0 ? 1 : Math.max(2, 100 * buckets[i] / highest)) + '%';
        const low = Math.max(1, op[O_MIN]) * Math.pow(ratio, i / buckets.length);
        const high = Math.max(1, op[O_MIN]) * Math.pow(ratio, (i + 1) / buckets.length);
        bar.setAttribute('title', formatDuration(low) + ' – ' + formatDuration(high) + ': ' +
                         plural(buckets[i], 'span', 'spans'));
      }
    }
    if (data.operations.length === 0) {
      cell(body.appendChild(el('tr')), 'empty-note', 'No spans.').colSpan = 10;
    }
  }

  // ---- start -------------------------------------------------------------------------
  renderHeader();
  byId('trace-filter').addEventListener('input', updateTraceList);
  byId('trace-sort').addEventListener('change', updateTraceList);
  byId('page-previous').addEventListener('click', function () { list.page--; renderTracePage(); });
  byId('page-next').addEventListener('click', function () { list.page++; renderTracePage(); });
  // #trace=ID selects a trace (the page keeps the selection there), else the
  // first; #trace=ID&span=ID also a span of it, showing its details.
  const wanted = /^#trace=([0-9a-f]{32})(?:&span=([0-9a-f]{16}))?$/.exec(location.hash);
  if (wanted && wanted[2]) waterfall.wantedSpan = wanted[2];
  let initial = data.traces.length > 0 ? 0 : -1;
  if (wanted) {
    const found = data.traces.findIndex(function (t) { return t[T_ID] === wanted[1]; });
    if (found >= 0) initial = found;
  }
  list.selected = initial;
  updateTraceList();
  if (initial >= 0) {
    const position = list.indexes.indexOf(initial);
    if (position >= TRACES_PER_PAGE) {
      list.page = Math.floor(position / TRACES_PER_PAGE);
      renderTracePage();
    }
    selectTrace(initial, false);
  } else {
    renderWaterfall();
  }
  renderOperations();
  // How long parsing the data and the first rendering took, for measurements.
  status.setAttribute('data-render-ms', String(Math.round(performance.now() - started)));
  status.setAttribute('data-state', 'rendered');
})();
