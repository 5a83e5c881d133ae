// SPARQL editor: canned examples from /sparql/examples, results from /sparql as a table. No framework.
(function () {
  "use strict";
  var form = document.getElementById("sparql-form");
  var select = document.getElementById("example");
  var textarea = document.getElementById("query");
  var paramsBox = document.getElementById("example-params");
  var description = document.getElementById("example-description");
  var status = document.getElementById("status");
  var results = document.getElementById("results");
  var examples = [];
  var current = null;     // the example picked, while the textarea still holds its text
  var ID = "https://policykg.org/id/";

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
    return node;
  }

  function paramList(example) {
    var p = example.params || [];
    if (!Array.isArray(p)) p = Object.keys(p).map(function (k) { return Object.assign({name: k}, typeof p[k] === "object" ? p[k] : {default: p[k]}); });
    return p.map(function (x) { return typeof x === "string" ? {name: x} : x; });
  }

  function showExample(example) {
    current = example;
    textarea.value = example.query || "";
    description.textContent = example.description || "";
    description.hidden = !example.description;
    paramsBox.textContent = "";
    paramList(example).forEach(function (p) {
      var label = el("label", (p.label || p.name) + " ");
      var value = p.default !== undefined ? p.default : (p.example !== undefined ? p.example : "");
      label.appendChild(el("input", null, {name: p.name, value: value, "data-param": "1"}));
      paramsBox.appendChild(label);
    });
  }

  fetch("/sparql/examples", {headers: {Accept: "application/json"}})
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(function (data) {
      examples = Array.isArray(data) ? data : (data.examples || []);
      examples.forEach(function (ex, i) { select.appendChild(el("option", ex.title || ex.id, {value: String(i)})); });
      select.disabled = examples.length === 0;
      select.dataset.loaded = "true";
    })
    .catch(function () { select.dataset.loaded = "false"; select.title = form.dataset.unavailable; });

  select.addEventListener("change", function () {
    if (select.value !== "") showExample(examples[Number(select.value)]);
  });
  textarea.addEventListener("input", function () {
    if (current && textarea.value !== current.query) paramsBox.classList.add("unused");
    else paramsBox.classList.remove("unused");
  });

  function cell(term) {
    var td = el("td");
    if (!term) return td;
    if (term.type === "uri") {
      var href = term.value.indexOf(ID) === 0 ? "/id/" + term.value.slice(ID.length) : term.value;
      var shown = term.value.indexOf(ID) === 0 ? term.value.slice(ID.length) : term.value;
      td.appendChild(el("a", shown, {href: href, title: term.value}));
    } else {
      td.textContent = term.value;
      if (term["xml:lang"]) td.setAttribute("lang", term["xml:lang"]);
    }
    return td;
  }

  function render(data) {
    results.textContent = "";
    if (typeof data.boolean === "boolean") { results.appendChild(el("p", String(data.boolean), {"class": "ask"})); return; }
    var vars = data.head.vars, rows = data.results.bindings;
    results.appendChild(el("p", rows.length + " " + form.dataset.rows, {"class": "count"}));
    var table = el("table", null, {"class": "list sparql-results"});
    var head = el("tr");
    vars.forEach(function (v) { head.appendChild(el("th", v)); });
    table.appendChild(el("thead")).appendChild(head);
    var body = table.appendChild(el("tbody"));
    rows.forEach(function (b) {
      var tr = el("tr");
      vars.forEach(function (v) { tr.appendChild(cell(b[v])); });
      body.appendChild(tr);
    });
    results.appendChild(table);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var url;
    if (current && current.url && textarea.value === current.query && paramList(current).length) {
      // a canned query with $parameters: the server fills them in, each as one checked SPARQL term
      var pairs = [];
      paramsBox.querySelectorAll("input[data-param]").forEach(function (input) {
        pairs.push(encodeURIComponent(input.name) + "=" + encodeURIComponent(input.value));
      });
      url = current.url + (pairs.length ? "?" + pairs.join("&") : "");
    } else {
      url = "/sparql?query=" + encodeURIComponent(textarea.value);
    }
    status.textContent = form.dataset.running;
    results.textContent = "";
    fetch(url, {headers: {Accept: "application/sparql-results+json"}})
      .then(function (r) {
        return r.text().then(function (text) {
          var data = null;
          try { data = JSON.parse(text); } catch (e) { /* not JSON */ }
          if (!r.ok) throw new Error((data && data.error && data.error.message) || text || r.status);
          return data;
        });
      })
      .then(function (data) { status.textContent = ""; render(data); })
      .catch(function (err) {
        status.textContent = "";
        results.appendChild(el("p", form.dataset.error + ": " + err.message, {"class": "error", role: "alert"}));
      });
  });
})();
