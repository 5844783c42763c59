// dangjian questionnaire form: optional enhancement. The server checks everything; this
// only shows skips (relevant), filters choices (choice_filter) and checks constraints and
// required questions as the respondent answers. Expressions arrive as JSON trees built
// by the server's parser (survey::expr::Node), so both sides read them the same way.
(function () {
  var form = document.querySelector('form[data-survey]');
  if (!form) return;
  document.documentElement.className += ' js';

  function values(key) {
    var out = [];
    var els = form.elements;
    for (var i = 0; i < els.length; i++) {
      var e = els[i];
      if (e.name !== key || e.disabled) continue;
      if ((e.type === 'radio' || e.type === 'checkbox') && !e.checked) continue;
      if (e.value.trim() !== '') out.push(e.value.trim());
    }
    return out.join(' ');
  }
  function field(name, prefix) {
    var v = prefix ? values(prefix + name) : '';
    return v !== '' ? v : values(name);
  }
  function num(v) {
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    var s = String(v).trim();
    return s === '' ? NaN : Number(s);
  }
  function str(v) {
    if (typeof v === 'number') return isNaN(v) ? 'NaN' : (Number.isInteger(v) ? String(v) : String(v));
    return String(v);
  }
  function truthy(v) {
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number') return v !== 0 && !isNaN(v);
    return String(v) !== '';
  }
  function cmp(op, a, b) {
    var o;
    if ((typeof a === 'boolean' || typeof b === 'boolean') && (op === '=' || op === '!=')) {
      o = truthy(a) === truthy(b) ? 0 : 1;
    } else if (typeof a === 'string' && typeof b === 'string' && (op === '=' || op === '!=')) {
      o = a === b ? 0 : 1;
    } else {
      var x = num(a), y = num(b);
      if (isNaN(x) || isNaN(y)) return op === '!=';
      o = x < y ? -1 : x > y ? 1 : 0;
    }
    switch (op) {
      case '=': return o === 0;
      case '!=': return o !== 0;
      case '<': return o < 0;
      case '<=': return o <= 0;
      case '>': return o > 0;
      default: return o >= 0;
    }
  }
  function ev(n, c) {
    switch (n.k) {
      case 'num': return n.v;
      case 'str': return n.v;
      case 'field': return field(n.name, c.prefix);
      case 'current': return c.current || '';
      case 'column': return (c.cols && c.cols[n.name] !== undefined) ? c.cols[n.name] : '';
      case 'neg': return -num(ev(n.a, c));
      case 'bin':
        if (n.op === 'and') return truthy(ev(n.a, c)) && truthy(ev(n.b, c));
        if (n.op === 'or') return truthy(ev(n.a, c)) || truthy(ev(n.b, c));
        var a = ev(n.a, c), b = ev(n.b, c);
        switch (n.op) {
          case '+': return num(a) + num(b);
          case '-': return num(a) - num(b);
          case '*': return num(a) * num(b);
          case 'div': return num(a) / num(b);
          case 'mod': return num(a) % num(b);
          default: return cmp(n.op, a, b);
        }
      case 'call':
        var g = function (i) { return n.args[i] ? ev(n.args[i], c) : ''; };
        switch (n.f) {
          case 'selected': return str(g(0)).split(/\s+/).indexOf(str(g(1)).trim()) >= 0;
          case 'count-selected': var s = str(g(0)).trim(); return s === '' ? 0 : s.split(/\s+/).length;
          case 'if': return truthy(g(0)) ? g(1) : g(2);
          case 'coalesce': var a0 = g(0); return str(a0) === '' ? g(1) : a0;
          case 'concat': return n.args.map(function (_, i) { return str(g(i)); }).join('');
          case 'string-length': return Array.from(str(g(0))).length;
          case 'regex': try { return new RegExp(str(g(1)), 'u').test(str(g(0))); } catch (e) { return false; }
          case 'not': return !truthy(g(0));
          case 'true': return true;
          case 'false': return false;
          case 'boolean': return truthy(g(0));
          case 'int': return Math.trunc(num(g(0)));
          case 'number': return num(g(0));
          case 'string': return str(g(0));
          case 'round': var p = Math.pow(10, n.args.length > 1 ? num(g(1)) : 0); return Math.round(num(g(0)) * p) / p;
          case 'today': return new Date().toISOString().slice(0, 10);
          case 'now': return new Date().toISOString().slice(0, 19);
          case 'contains': return str(g(0)).indexOf(str(g(1))) >= 0;
          case 'starts-with': return str(g(0)).indexOf(str(g(1))) === 0;
        }
        return '';
    }
    return '';
  }
  function parse(s) { try { return JSON.parse(s); } catch (e) { return null; } }

  function setDisabled(el, off) {
    var inputs = el.querySelectorAll('input,select,textarea');
    for (var i = 0; i < inputs.length; i++) inputs[i].disabled = off;
  }
  function refresh() {
    var rel = form.querySelectorAll('[data-relevant]');
    for (var i = 0; i < rel.length; i++) {
      var el = rel[i];
      var ast = parse(el.getAttribute('data-relevant'));
      var hiddenAbove = el.parentElement && el.parentElement.closest('.hidden');
      var on = !hiddenAbove && (!ast || truthy(ev(ast, { prefix: el.getAttribute('data-prefix') || '' })));
      el.classList.toggle('hidden', !on);
      setDisabled(el, !on);
    }
    var filt = form.querySelectorAll('[data-filter]');
    for (var j = 0; j < filt.length; j++) {
      var box = filt[j];
      var f = parse(box.getAttribute('data-filter'));
      var q = box.closest('.q');
      var prefix = q ? q.getAttribute('data-prefix') || '' : '';
      var opts = box.querySelectorAll('[data-cols]');
      for (var k = 0; k < opts.length; k++) {
        var o = opts[k];
        var ok = truthy(ev(f, { prefix: prefix, cols: parse(o.getAttribute('data-cols')) || {} }));
        o.classList.toggle('hidden', !ok);
        o.hidden = !ok;
        var inp = o.tagName === 'OPTION' ? o : o.querySelector('input');
        if (!ok && inp) { if (o.tagName === 'OPTION') { if (o.selected) box.value = ''; } else inp.checked = false; }
      }
    }
  }
  function checkQuestion(q, onSubmit) {
    if (q.closest('.hidden')) return true;
    var key = q.getAttribute('data-key');
    var live = q.querySelector('.err.live');
    var v = values(key);
    var msg = '';
    if (v === '' && q.getAttribute('data-required') && onSubmit && q.getAttribute('data-kind') !== 'note') {
      msg = q.getAttribute('data-required-msg');
    } else if (v !== '' && q.getAttribute('data-constraint')) {
      var ast = parse(q.getAttribute('data-constraint'));
      if (ast && !truthy(ev(ast, { prefix: q.getAttribute('data-prefix') || '', current: v }))) msg = q.getAttribute('data-msg');
    }
    if (live) { live.textContent = msg; live.classList.toggle('hidden', msg === ''); }
    q.classList.toggle('bad', msg !== '');
    return msg === '';
  }
  form.addEventListener('change', function (e) {
    refresh();
    var q = e.target.closest('.q');
    if (q) checkQuestion(q, false);
  });
  form.addEventListener('submit', function (e) {
    if (e.submitter && e.submitter.name === '_add') return;
    if (form.querySelector('input[name=_csrf]')) return; // paper entry: gaps are allowed, the server records them
    var qs = form.querySelectorAll('.q');
    var first = null;
    for (var i = 0; i < qs.length; i++) if (!checkQuestion(qs[i], true) && !first) first = qs[i];
    if (first) { e.preventDefault(); first.scrollIntoView({ block: 'center' }); }
  });
  refresh();
})();
