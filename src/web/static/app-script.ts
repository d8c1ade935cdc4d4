/**
 * The app's one script (progressive enhancement: every page works without it). Served from our own origin with
 * `script-src 'self'`; no eval, no inline handlers. It does two things:
 * - countdowns: every `[data-deadline]` element is re-rendered every few seconds, turning into its warning style
 *   inside its window (`data-warn`, ms: the last 12 hours of a detention) and its overdue style after;
 * - the live inbox: `#inbox[data-events]` listens to the server's event stream, which sends each row already
 *   rendered (escaped) in the person's language, in place or removed, then keeps the count in the heading and the
 *   tab title and says what changed in a polite live region. The browser's EventSource reconnects by itself; the
 *   server answers every (re)connection with the full list first, so nothing missed while away stays missing.
 * Kept as a string in a TypeScript module so it ships in dist/ (see app-style.ts); test/unit/web-assets.test.ts
 * parses it.
 */
export const APP_JS = `(function () {
  'use strict';
  var body = document.body;
  var texts = body.dataset;

  function compact(ms) {
    var s = Math.max(0, Math.floor(Math.abs(ms) / 1000));
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    if (d > 0) return h > 0 ? d + ' d ' + h + ' h' : d + ' d';
    if (h > 0) return m > 0 ? h + ' h ' + m + ' min' : h + ' h';
    if (m > 0) return m + ' min';
    return (s % 60) + ' s';
  }
  function fill(template, time) { return String(template || '{time}').replace('{time}', time); }

  function tick() {
    var now = Date.now();
    var all = document.querySelectorAll('[data-deadline]');
    for (var i = 0; i < all.length; i++) {
      var el = all[i];
      var at = Date.parse(el.getAttribute('data-deadline'));
      if (isNaN(at)) continue;
      var left = at - now;
      var warnWithin = Number(el.getAttribute('data-warn') || 0);
      var over = left <= 0;
      var warn = !over && left <= warnWithin;
      el.textContent = over ? fill(texts.over, compact(left)) : fill(texts.left, compact(left));
      el.classList.toggle('over', over);
      el.classList.toggle('warn', warn);
      var note = el.parentNode && el.parentNode.querySelector('[data-warn-note]');
      if (note) note.hidden = !warn;
      var lapsed = el.parentNode && el.parentNode.querySelector('[data-lapsed-note]');
      if (lapsed) lapsed.hidden = !over;
    }
  }
  tick();
  setInterval(tick, 5000);

  var table = document.getElementById('inbox');
  if (!table || !table.getAttribute('data-events') || typeof EventSource === 'undefined') return;
  var tbody = table.tBodies[0];
  var live = document.getElementById('live');
  var status = document.getElementById('live-status');
  var count = document.getElementById('inbox-count');
  var empty = document.getElementById('inbox-empty');
  var plural = typeof Intl !== 'undefined' && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang) : null;

  function say(text) { if (live) { live.textContent = ''; setTimeout(function () { live.textContent = text; }, 50); } }
  function setStatus(text) { if (status) status.textContent = text || ''; }
  function rowsNow() { return tbody.querySelectorAll('tr[data-task]'); }
  function updateCount() {
    var n = rowsNow().length;
    if (count) {
      var form = plural && plural.select(n) === 'one' ? 'countOne' : 'countOther';
      count.textContent = String(count.dataset[form] || '{count}').replace('{count}', String(n));
    }
    document.title = document.title.replace(/^\\(\\d+\\) /, '(' + n + ') ');
    if (empty) empty.hidden = n > 0;
  }
  function build(html) {
    var t = document.createElement('template');
    t.innerHTML = html;
    return t.content.firstElementChild;
  }
  function place(row) {
    var due = Date.parse(row.getAttribute('data-due'));
    var id = row.getAttribute('data-task');
    var rows = rowsNow();
    for (var i = 0; i < rows.length; i++) {
      var other = rows[i];
      var otherDue = Date.parse(other.getAttribute('data-due'));
      if (otherDue > due || (otherDue === due && other.getAttribute('data-task') > id)) {
        tbody.insertBefore(row, other);
        return;
      }
    }
    tbody.appendChild(row);
  }
  function find(id) {
    var rows = rowsNow();
    for (var i = 0; i < rows.length; i++) if (rows[i].getAttribute('data-task') === id) return rows[i];
    return null;
  }
  function upsert(item) {
    var row = build(item.html);
    if (!row) return false;
    var old = find(item.id);
    if (old) old.parentNode.removeChild(old);
    place(row);
    return !old;
  }

  var source = new EventSource(table.getAttribute('data-events'));
  source.addEventListener('open', function () { setStatus(texts.liveOn); });
  source.addEventListener('error', function () {
    setStatus(source.readyState === 2 ? texts.liveEnded : texts.liveLost);
  });
  source.addEventListener('sync', function (e) {
    var data = JSON.parse(e.data);
    var keep = {};
    for (var i = 0; i < data.rows.length; i++) { upsert(data.rows[i]); keep[data.rows[i].id] = true; }
    var rows = rowsNow();
    for (var j = 0; j < rows.length; j++) if (!keep[rows[j].getAttribute('data-task')]) rows[j].parentNode.removeChild(rows[j]);
    updateCount();
    tick();
  });
  source.addEventListener('row', function (e) {
    var item = JSON.parse(e.data);
    var added = upsert(item);
    updateCount();
    tick();
    if (added) say(String(texts.added || '{label}').replace('{label}', item.label));
  });
  source.addEventListener('remove', function (e) {
    var item = JSON.parse(e.data);
    var row = find(item.id);
    if (row) {
      row.parentNode.removeChild(row);
      updateCount();
      say(String(texts.removed || '{label}').replace('{label}', item.label));
    }
  });
  source.addEventListener('ended', function () {
    source.close();
    setStatus(texts.liveEnded);
  });
})();
`;
