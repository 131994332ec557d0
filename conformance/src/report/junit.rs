//! `junit.xml` for CI test tabs: one `<testsuite>` per engine and case area, one `<testcase>`
//! per case. `fail` carries the diffs in `<failure>`, `crashed`/`timeout` are `<error>`s,
//! `skipped` and `poisoned` are `<skipped>` with the reason.

use super::{clip, escape_xml as esc, Counts, Report};
use crate::suite::{CaseResult, Class};
use std::fmt::Write;

pub fn render(report: &Report) -> String {
    let all = report.engines.iter().flat_map(|e| &e.results);
    let total = Counts::of(all);
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        s,
        "<testsuites name=\"aslcheck {}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        esc(&report.meta.run_id),
        total.total(),
        total.get(Class::Fail),
        total.get(Class::Crashed) + total.get(Class::Timeout),
        total.get(Class::Skipped) + total.get(Class::Poisoned),
    );
    for engine in &report.engines {
        let mut areas: Vec<&str> = engine.results.iter().map(CaseResult::area).collect();
        areas.sort_unstable();
        areas.dedup();
        for area in areas {
            let cases: Vec<&CaseResult> = engine.results.iter().filter(|r| r.area() == area).collect();
            suite(&mut s, report, &engine.name, &engine.version, area, &cases);
        }
    }
    s + "</testsuites>\n"
}

fn suite(s: &mut String, report: &Report, engine: &str, version: &str, area: &str, cases: &[&CaseResult]) {
    let c = Counts::of(cases.iter().copied());
    let secs: f64 = cases.iter().map(|r| r.duration.as_secs_f64()).sum();
    let name = if report.engines.len() > 1 { format!("{engine}/{area}") } else { area.to_string() };
    let _ = writeln!(
        s,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{secs:.3}\">",
        esc(&name),
        c.total(),
        c.get(Class::Fail),
        c.get(Class::Crashed) + c.get(Class::Timeout),
        c.get(Class::Skipped) + c.get(Class::Poisoned),
    );
    s.push_str("    <properties>\n");
    for (k, v) in [
        ("engine", engine),
        ("engine.version", version),
        ("corpus.commit", report.meta.corpus_commit.as_deref().unwrap_or("unknown")),
        ("protocol.version", report.meta.protocol_version.as_str()),
    ] {
        let _ = writeln!(s, "      <property name=\"{k}\" value=\"{}\"/>", esc(v));
    }
    s.push_str("    </properties>\n");
    for r in cases {
        case(s, engine, area, r);
    }
    s.push_str("  </testsuite>\n");
}

fn case(s: &mut String, engine: &str, area: &str, r: &CaseResult) {
    let _ = write!(
        s,
        "    <testcase name=\"{}\" classname=\"{}.{}\" file=\"{}\" time=\"{:.3}\"",
        esc(&r.id),
        esc(engine),
        esc(area),
        esc(&r.file.display().to_string()),
        r.duration.as_secs_f64()
    );
    let reason = r.reason.as_deref().unwrap_or("");
    match r.class {
        Class::Pass => s.push_str("/>\n"),
        Class::Fail => {
            let body: Vec<String> = r
                .diffs
                .iter()
                .map(|d| {
                    format!(
                        "{}\n  expected: {}\n  actual:   {}",
                        d.pointer,
                        clip(&d.expected.to_string(), 2000),
                        clip(&d.actual.to_string(), 2000)
                    )
                })
                .collect();
            let msg = format!("{} difference(s)", r.diffs.len());
            let _ = write!(
                s,
                ">\n      <failure type=\"fail\" message=\"{}\">{}</failure>\n    </testcase>\n",
                esc(&msg),
                esc(&body.join("\n"))
            );
        }
        Class::Crashed | Class::Timeout => {
            let _ = write!(
                s,
                ">\n      <error type=\"{}\" message=\"{}\"/>\n    </testcase>\n",
                r.class.as_str(),
                esc(&clip(reason, 2000))
            );
        }
        Class::Skipped | Class::Poisoned => {
            let msg = if r.class == Class::Poisoned { format!("poisoned: {reason}") } else { reason.to_string() };
            let _ = write!(s, ">\n      <skipped message=\"{}\"/>\n    </testcase>\n", esc(&clip(&msg, 2000)));
        }
    }
}
