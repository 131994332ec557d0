//! `summary.json`: the run's metadata, and per engine the totals, per-area and per-feature
//! rollups, and known failures that now pass.

use super::{rfc3339, Counts, Report};
use crate::suite::Class;
use serde_json::{json, Map, Value};

fn counts_json(c: &Counts) -> Value {
    let mut m: Map<String, Value> = Class::ALL.iter().map(|k| (k.as_str().to_string(), json!(c.get(*k)))).collect();
    m.insert("total".to_string(), json!(c.total()));
    Value::Object(m)
}

pub fn to_json(report: &Report) -> Value {
    let meta = &report.meta;
    let seconds = meta.finished.duration_since(meta.started).map(|d| d.as_secs_f64()).unwrap_or(0.0);
    let engines: Vec<Value> = report
        .engines
        .iter()
        .map(|e| {
            let areas: Map<String, Value> =
                Report::area_counts(e).iter().map(|(a, c)| (a.to_string(), counts_json(c))).collect();
            let features: Map<String, Value> =
                Report::feature_counts(e).iter().map(|(f, c)| (f.to_string(), counts_json(c))).collect();
            let now_passing: Vec<&str> = e.results.iter().filter(|r| r.now_passes()).map(|r| r.id.as_str()).collect();
            json!({
                "name": e.name,
                "version": e.version,
                "totals": counts_json(&Counts::of(&e.results)),
                "areas": areas,
                "features": features,
                "expected_failure_now_passes": now_passing,
            })
        })
        .collect();
    json!({
        "run_id": meta.run_id,
        "started": rfc3339(meta.started),
        "finished": rfc3339(meta.finished),
        "duration_seconds": (seconds * 1000.0).round() / 1000.0,
        "interrupted": meta.interrupted,
        "corpus_commit": meta.corpus_commit,
        "corpus": meta.corpus_dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>(),
        "protocol_version": meta.protocol_version,
        "selected": meta.selected,
        "load_errors": meta.load_errors,
        "notes": meta.notes,
        "engines": engines,
    })
}

pub fn render(report: &Report) -> String {
    serde_json::to_string_pretty(&to_json(report)).unwrap_or_default() + "\n"
}
