//! `index.html`: one self-contained page (no external resources). The data sits in a JSON
//! `<script>` block; a little inline script draws the feature × engine matrix (colour-coded pass
//! rates, grouped by area) and the case table with its diffs, a text filter and a class filter.
//! When drawing succeeded it sets `data-rendered="ok"` on `<body>`: `cargo xtask report-check`
//! looks for that, the matrix (`#matrix-grid`) and one `data-case` row per result in Chromium's DOM.

use super::{clip, escape_xml as esc, relative_path, Counts, Report};
use crate::compare::Missing;
use crate::suite::{CaseResult, Class};
use serde_json::{json, Value};
use std::path::Path;

/// Longest diff value shown, in characters (values can be whole outputs).
const MAX_VALUE: usize = 4000;

/// `dir` is where the page goes: links to case files are relative to it.
pub fn render(report: &Report, dir: &Path) -> String {
    let data = data(report, dir).to_string().replace('<', "\\u003c");
    let title = format!("aslcheck report {}", report.meta.run_id);
    let mut s = String::with_capacity(data.len() + CSS.len() + JS.len() + 2048);
    s += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    s += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    s += &format!("<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n", esc(&title));
    s += &format!(
        "<header>\n<h1>ASL conformance report</h1>\n<p class=\"meta\">{}</p>\n<div id=\"totals\"></div>\n\
         <nav><a href=\"#features\">Features</a> · <a href=\"#cases-section\">Cases</a></nav>\n</header>\n",
        esc(&report.provenance())
    );
    s += "<noscript><p class=\"warn\">This page draws its tables with JavaScript; the same data is in \
          matrix.md, summary.json and results.jsonl beside it.</p></noscript>\n";
    s += "<main>\n<section id=\"features\">\n<h2>Features</h2>\n<p class=\"hint\">Cells: passed/total cases tagged with the \
          feature; colour by pass rate over judged (not skipped) cases, known failures included. Click a cell to list its cases.</p>\n\
          <div id=\"matrix\"></div>\n</section>\n";
    s += "<section id=\"cases-section\">\n<h2>Cases</h2>\n<div class=\"controls\">\n\
          <input id=\"filter\" type=\"search\" placeholder=\"Filter: case id, feature, reason…\" size=\"40\">\n\
          <select id=\"class-filter\"></select>\n<span id=\"shown\"></span>\n</div>\n\
          <table id=\"cases\"><thead><tr><th>class</th><th>case</th><th>details</th></tr></thead>\
          <tbody id=\"cases-body\"></tbody></table>\n</section>\n</main>\n";
    s += &format!("<script type=\"application/json\" id=\"report-data\">{data}</script>\n<script>{JS}</script>\n");
    s + "</body>\n</html>\n"
}

fn counts_json(c: &Counts) -> Value {
    let mut v = json!({"total": c.total(), "rate": c.rate()});
    for k in Class::ALL {
        v[k.as_str()] = json!(c.get(k));
    }
    v
}

fn data(report: &Report, dir: &Path) -> Value {
    let per_engine: Vec<_> = report.engines.iter().map(Report::feature_counts).collect();
    let areas: Vec<Value> = report
        .areas()
        .into_iter()
        .map(|a| {
            let features: Vec<Value> = a
                .features
                .iter()
                .map(|f| {
                    let cells: Vec<Value> =
                        per_engine.iter().map(|by| by.get(f.as_str()).map_or(Value::Null, counts_json)).collect();
                    json!({"id": f, "cells": cells})
                })
                .collect();
            // Distinct cases with any feature of the area, so a case counts once per area.
            let totals: Vec<Value> = report
                .engines
                .iter()
                .map(|e| {
                    let in_area = e.results.iter().filter(|r| r.features.iter().any(|f| a.features.contains(f)));
                    counts_json(&Counts::of(in_area))
                })
                .collect();
            json!({"name": a.name, "totals": totals, "features": features})
        })
        .collect();
    let engines: Vec<Value> = report
        .engines
        .iter()
        .map(|e| json!({"name": e.name, "version": e.version, "totals": counts_json(&Counts::of(&e.results))}))
        .collect();
    let cases: Vec<Value> =
        report.engines.iter().flat_map(|e| e.results.iter().map(move |r| case_json(&e.name, r, dir))).collect();
    json!({"engines": engines, "areas": areas, "cases": cases, "interrupted": report.meta.interrupted,
           "selected": report.meta.selected, "loadErrors": report.meta.load_errors, "notes": report.meta.notes})
}

fn case_json(engine: &str, r: &CaseResult, dir: &Path) -> Value {
    let show = |v: &Value| clip(&serde_json::to_string_pretty(v).unwrap_or_default(), MAX_VALUE);
    let diffs: Vec<Value> = r
        .diffs
        .iter()
        .map(|d| {
            let side = |missing: Missing, v: &Value| {
                if d.missing == Some(missing) {
                    crate::compare::NO_VALUE.to_string()
                } else {
                    show(v)
                }
            };
            json!({"pointer": d.pointer, "expected": side(Missing::Expected, &d.expected), "actual": side(Missing::Actual, &d.actual)})
        })
        .collect();
    json!({
        "id": r.id, "engine": engine, "class": r.class.as_str(), "features": r.features,
        "file": relative_path(dir, &r.file).display().to_string(), "reason": r.reason.as_deref().map(|t| clip(t, MAX_VALUE)),
        "nowPasses": r.now_passes(), "ms": r.duration.as_secs_f64() * 1000.0, "diffs": diffs,
    })
}

const CSS: &str = r#"
:root { --fg:#1d2433; --muted:#5b6475; --line:#d9dee7; --bg:#f6f7f9; --card:#fff; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:var(--bg); }
header { background:#1f2a44; color:#fff; padding:18px 28px 14px; }
header h1 { margin:0 0 4px; font-size:22px; font-weight:600; }
header .meta { margin:0 0 12px; color:#c9d2e3; font-size:12.5px; word-break:break-all; }
main { padding:8px 28px 40px; max-width:1500px; }
h2 { font-size:18px; margin:22px 0 6px; }
.hint { color:var(--muted); margin:0 0 10px; font-size:12.5px; }
.warn { background:#fff3cd; border:1px solid #e0c36a; padding:8px 12px; border-radius:6px; color:#5c4400; }
#totals { display:flex; flex-wrap:wrap; gap:10px; }
.card { background:rgba(255,255,255,.08); border:1px solid rgba(255,255,255,.18); border-radius:8px; padding:8px 14px; min-width:220px; }
.card .name { font-weight:600; } .card .version { color:#c9d2e3; font-size:12px; margin-left:6px; }
.card .big { font-size:26px; font-weight:700; }
.card .classes span { margin-right:10px; font-size:12.5px; }
table { border-collapse:collapse; background:var(--card); border:1px solid var(--line); }
th, td { border-bottom:1px solid var(--line); padding:5px 10px; text-align:left; vertical-align:top; }
th { background:#eef1f6; font-weight:600; }
#cases thead th { position:sticky; top:0; z-index:1; }
#matrix-grid { display:flex; flex-wrap:wrap; gap:14px; align-items:flex-start; }
#matrix-grid table { flex:0 1 auto; }
#matrix .num { text-align:center; white-space:nowrap; cursor:pointer; font-variant-numeric:tabular-nums; min-width:96px; }
#matrix tr.area th { background:#e3e8f1; font-size:14px; }
#matrix tr.area th.num { cursor:default; }
#matrix tr.engines td { color:var(--muted); font-size:12px; background:#f4f6fa; }
#matrix td.feat code { font-size:12.5px; }
td.na { color:#9aa2b1; background:#f1f2f4; }
.controls { display:flex; gap:10px; align-items:center; margin:0 0 10px; }
.controls input, .controls select { font:inherit; padding:5px 8px; border:1px solid #b9c1cf; border-radius:5px; background:#fff; }
#shown { color:var(--muted); }
#cases { width:100%; }
#cases td.id { font-family:ui-monospace,SFMono-Regular,Menlo,monospace; font-size:12.5px; word-break:break-all; min-width:260px; }
#cases .feats { color:var(--muted); font-size:12px; font-family:inherit; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; font-weight:600; color:#fff; }
.b-pass { background:#2e7d32; } .b-fail { background:#c62828; } .b-crashed { background:#6a1b9a; }
.b-timeout { background:#ad5a00; } .b-skipped { background:#78808f; } .b-poisoned { background:#8d6e63; }
.b-known-failure { background:#6a4c93; }
.reason { color:#37404f; margin-bottom:4px; }
table.diff { width:100%; border:none; margin-top:4px; }
table.diff td, table.diff th { border:1px solid var(--line); font-size:12px; padding:3px 6px; background:#fbfbfc; }
table.diff th { position:static; }
table.diff td.ptr { font-family:ui-monospace,Menlo,monospace; white-space:nowrap; color:#1f4f99; }
pre { margin:0; max-height:220px; overflow:auto; white-space:pre-wrap; word-break:break-all; font-size:12px; }
td.exp pre { color:#1b5e20; } td.act pre { color:#b71c1c; }
a { color:#1f4f99; }
header nav { margin-top:10px; font-size:13px; } header nav a { color:#cfe0ff; }
"#;

const JS: &str = r#"
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var CLASSES = ["pass", "fail", "crashed", "timeout", "known-failure", "skipped", "poisoned"];
  var FAILING = { fail: 1, crashed: 1, timeout: 1 };
  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    (kids || []).forEach(function (k) { e.appendChild(typeof k === "string" ? document.createTextNode(k) : k); });
    return e;
  }
  function pct(r) { return r === null ? "n/a" : (Math.floor(r * 1000) / 10) + "%"; }
  function colour(r) { return r === null ? "" : "background:hsl(" + Math.round(r * r * 120) + ",62%," + (r === 1 ? 82 : 86) + "%)"; }

  function totals() {
    var box = document.getElementById("totals");
    data.engines.forEach(function (e) {
      var classes = el("div", { "class": "classes" }, CLASSES.filter(function (c) { return e.totals[c] > 0; })
        .map(function (c) { return el("span", {}, [e.totals[c] + " " + c]); }));
      box.appendChild(el("div", { "class": "card" }, [
        el("div", {}, [el("span", { "class": "name" }, [e.name]), el("span", { "class": "version" }, [e.version])]),
        el("div", { "class": "big" }, [pct(e.totals.rate)]),
        el("div", {}, [e.totals.pass + " of " + e.totals.total + " cases pass"]), classes]));
    });
    var notes = (data.notes || []).slice();
    if (data.interrupted) notes.push("Interrupted: " + data.cases.length + " results for " + data.selected + " selected cases.");
    if (data.loadErrors.length) notes.push(data.loadErrors.length + " corpus files could not be loaded: " + data.loadErrors.join("; "));
    var now = data.cases.filter(function (c) { return c.nowPasses; }).map(function (c) { return c.id; });
    if (now.length) notes.push("Listed as expected failures but now pass: " + now.join(", "));
    notes.forEach(function (n) { box.parentNode.appendChild(el("p", { "class": "warn" }, [n])); });
  }

  function cell(c, feature, tag) {
    if (!c) return el(tag, { "class": "num na" }, ["–"]);
    var text = c.pass + "/" + c.total;
    var skipped = c.skipped + c.poisoned, known = c["known-failure"] || 0;
    var notes = (skipped ? [skipped + " skipped"] : []).concat(known ? [known + " known failure" + (known > 1 ? "s" : "")] : []);
    var td = el(tag, { "class": "num", style: colour(c.rate), title: pct(c.rate) + " of judged cases pass" +
      (notes.length ? "; " + notes.join(", ") : "") }, [text + (notes.length ? " (" + notes.join(", ") + ")" : "")]);
    if (feature) td.addEventListener("click", function () { show(feature, ""); });
    return td;
  }

  function matrix() {
    var grid = el("div", { id: "matrix-grid" });
    data.areas.forEach(function (a) {
      var head = el("tr", { "class": "area" }, [el("th", {}, [a.name])].concat(a.totals.map(function (t) { return cell(t, null, "th"); })));
      var names = el("tr", { "class": "engines" }, [el("td", {}, ["feature"])].concat(data.engines.map(function (e) { return el("td", {}, [e.name]); })));
      var body = el("tbody", {}, data.engines.length > 1 ? [names] : []);
      a.features.forEach(function (f) {
        body.appendChild(el("tr", { "data-feature": f.id }, [el("td", { "class": "feat" }, [el("code", {}, [f.id])])]
          .concat(f.cells.map(function (c) { return cell(c, f.id, "td"); }))));
      });
      grid.appendChild(el("table", { "class": "area-table" }, [el("thead", {}, [head]), body]));
    });
    document.getElementById("matrix").appendChild(grid);
  }

  function details(c) {
    var kids = [];
    if (c.reason) kids.push(el("div", { "class": "reason" }, [c.reason]));
    if (c.diffs.length) {
      kids.push(el("table", { "class": "diff" }, [el("tr", {}, [el("th", {}, ["pointer"]), el("th", {}, ["expected"]), el("th", {}, ["actual"])])]
        .concat(c.diffs.map(function (d) {
          return el("tr", {}, [el("td", { "class": "ptr" }, [d.pointer]), el("td", { "class": "exp" }, [el("pre", {}, [d.expected])]),
            el("td", { "class": "act" }, [el("pre", {}, [d.actual])])]);
        }))));
    }
    return el("td", {}, kids);
  }

  var rows = [];
  function cases() {
    var body = document.getElementById("cases-body");
    var many = data.engines.length > 1;
    data.cases.forEach(function (c) {
      var idCell = el("td", { "class": "id" }, [el("a", { href: c.file.split("/").map(encodeURIComponent).join("/") }, [(many ? c.engine + ": " : "") + c.id]),
        el("div", { "class": "feats" }, [c.features.join(", ")])]);
      var tr = el("tr", { "data-case": c.id, "data-class": c.class }, [
        el("td", {}, [el("span", { "class": "badge b-" + c.class }, [c.class])]), idCell, details(c)]);
      tr._text = (c.engine + " " + c.id + " " + c.features.join(" ") + " " + (c.reason || "")).toLowerCase();
      rows.push(tr);
      body.appendChild(tr);
    });
    var sel = document.getElementById("class-filter");
    var counts = {};
    data.cases.forEach(function (c) { counts[c.class] = (counts[c.class] || 0) + 1; });
    var failing = data.cases.filter(function (c) { return FAILING[c.class]; }).length;
    [["failing", "failing (" + failing + ")"], ["", "all classes (" + data.cases.length + ")"]]
      .concat(CLASSES.filter(function (k) { return counts[k]; }).map(function (k) { return [k, k + " (" + counts[k] + ")"]; }))
      .forEach(function (o) { sel.appendChild(el("option", { value: o[0] }, [o[1]])); });
    sel.value = failing ? "failing" : "";
    sel.addEventListener("change", apply);
    document.getElementById("filter").addEventListener("input", apply);
  }

  function apply() {
    var text = document.getElementById("filter").value.trim().toLowerCase();
    var cls = document.getElementById("class-filter").value;
    var n = 0;
    rows.forEach(function (tr) {
      var k = tr.getAttribute("data-class");
      var ok = (!cls || (cls === "failing" ? FAILING[k] : k === cls)) && (!text || tr._text.indexOf(text) >= 0);
      tr.hidden = !ok;
      if (ok) n++;
    });
    document.getElementById("shown").textContent = n + " of " + rows.length + " shown";
  }

  function show(text, cls) {
    document.getElementById("filter").value = text;
    document.getElementById("class-filter").value = cls;
    apply();
    document.getElementById("cases").scrollIntoView();
  }

  totals();
  matrix();
  cases();
  apply();
  document.body.setAttribute("data-rendered", "ok");
})();
"#;
