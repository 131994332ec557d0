//! `junit.xml` for CI test tabs: one `<testsuite>` per engine and case area, one `<testcase>`
//! per case. `fail` carries the diffs in `<failure>`, `crashed`/`timeout` are `<error>`s,
//! `skipped` and `poisoned` are `<skipped>` with the reason, `known-failure` a `<skipped
//! type="known-failure">`; a listed known failure that passes says so in `<system-out>`.

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
        total.get(Class::Crashed) + total.get(Class::Timeout) + report.meta.notes.len(),
        total.get(Class::Skipped) + total.get(Class::Poisoned) + total.get(Class::KnownFailure),
    );
    run_notes(&mut s, report);
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

/// What went wrong with the run as a whole (the engine never started, was declared hung), as
/// errors of a `run` suite, so CI shows them even when no case ran.
fn run_notes(s: &mut String, report: &Report) {
    if report.meta.notes.is_empty() {
        return;
    }
    let n = report.meta.notes.len();
    let _ =
        writeln!(s, "  <testsuite name=\"run\" tests=\"{n}\" failures=\"0\" errors=\"{n}\" skipped=\"0\" time=\"0\">");
    for (i, note) in report.meta.notes.iter().enumerate() {
        let _ = write!(
            s,
            "    <testcase name=\"run note {}\" classname=\"run\">\n      <error type=\"run\" message=\"{}\"/>\n    </testcase>\n",
            i + 1,
            esc(&clip(note, 2000))
        );
    }
    s.push_str("  </testsuite>\n");
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
        c.get(Class::Skipped) + c.get(Class::Poisoned) + c.get(Class::KnownFailure),
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
        Class::Pass => match &r.expected_failure {
            Some(listed) => {
                let _ = write!(
                    s,
                    ">\n      <system-out>listed as a known failure ({}) but passes now</system-out>\n    </testcase>\n",
                    esc(&clip(listed, 2000))
                );
            }
            None => s.push_str("/>\n"),
        },
        Class::Fail => {
            let body: Vec<String> = r
                .diffs
                .iter()
                .map(|d| {
                    format!(
                        "{}\n  expected: {}\n  actual:   {}",
                        d.pointer,
                        clip(&d.expected_text(), 2000),
                        clip(&d.actual_text(), 2000)
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
        // JUnit has no expected-failure element: a skip whose type says which kind.
        Class::KnownFailure => {
            let _ = write!(
                s,
                ">\n      <skipped type=\"known-failure\" message=\"{}\"/>\n    </testcase>\n",
                esc(&clip(reason, 2000))
            );
        }
        Class::Skipped | Class::Poisoned => {
            let msg = if r.class == Class::Poisoned { format!("poisoned: {reason}") } else { reason.to_string() };
            let _ = write!(s, ">\n      <skipped message=\"{}\"/>\n    </testcase>\n", esc(&clip(&msg, 2000)));
        }
    }
}
