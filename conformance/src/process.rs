//! The `process` engine: any program that speaks PROTOCOL.md (JSON lines on stdin/stdout).
//!
//! One long-lived child process answers one request at a time. Reads happen on a thread that
//! feeds a channel, and writes on another, so every wait is bounded by the timeout even when
//! the child stops reading or writing. A crash, a garbage line or a timeout ends the child; the
//! next request starts a fresh one (with a fresh `hello`).

use crate::engine::{foreign_machine, Engine, Machine, Outcome, Request};
use crate::report::clip;
use anyhow::{anyhow, bail, Result};
use serde_json::{json, Map, Value};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The protocol version this harness speaks.
pub const PROTOCOL_VERSION: u64 = 1;
/// The longest line accepted from an engine (a result with a full 25,000-event history fits).
const MAX_LINE: u64 = 64 << 20;
/// How many stderr lines are kept for crash reports, and how long each may be.
const STDERR_LINES: usize = 20;
const STDERR_LINE_CHARS: usize = 500;
/// After this many failed starts in a row the engine is given up on: no more waiting.
const MAX_FAILED_STARTS: u32 = 3;
/// How long a child gets to exit by itself after `bye` or after closing its stdout.
const EXIT_GRACE: Duration = Duration::from_millis(500);

/// The process groups of the engine children running now, so that a program quitting at once
/// (a second Ctrl-C) can kill them ([`kill_children`]); normally dropping the engine does.
static CHILDREN: Mutex<Vec<u32>> = Mutex::new(Vec::new());

fn kill_group(pgid: u32) {
    // Best effort for grandchildren.
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Kills every engine child process (and what each started) that is still running: for a
/// program about to exit without dropping its engines.
pub fn kill_children() {
    let groups = match CHILDREN.lock() {
        Ok(mut c) => std::mem::take(&mut *c),
        Err(_) => return,
    };
    for pgid in groups {
        kill_group(pgid);
    }
}

/// One diagnostic of a `rejected` or `validation` answer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WireDiagnostic {
    pub code: String,
    pub message: String,
    pub location: Option<String>,
    pub rule: Option<String>,
    pub detail: Option<String>,
}

impl WireDiagnostic {
    fn from_json(v: &Value) -> WireDiagnostic {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        WireDiagnostic {
            code: s("code").unwrap_or_default(),
            message: s("message").unwrap_or_default(),
            location: s("location"),
            rule: s("rule"),
            detail: s("detail"),
        }
    }
}

/// Formatted like `asl::Diagnostic`'s Display, so served reference diagnostics read the same
/// as in-process ones.
impl std::fmt::Display for WireDiagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(loc) = &self.location {
            write!(f, " at {loc}")?;
        }
        if let Some(rule) = &self.rule {
            write!(f, " [{rule}]")?;
        }
        match &self.detail {
            Some(d) => write!(f, " ({d})"),
            None => Ok(()),
        }
    }
}

/// What the stdout reader thread reports.
enum Line {
    Text(String),
    /// The end of output came in the middle of a line: the engine died while writing.
    Partial(String),
    TooLong,
    Eof,
    Failed(String),
}

/// Why a request got no proper answer.
enum Failure {
    TimedOut,
    Crashed(String),
    /// The run was stopped (Ctrl-C, SIGTERM) while waiting: no verdict on the engine.
    Interrupted,
}

impl Failure {
    fn into_outcome(self) -> Outcome {
        match self {
            Failure::TimedOut => Outcome::TimedOut,
            Failure::Crashed(r) => Outcome::Crashed(r),
            Failure::Interrupted => Outcome::Error("the run was interrupted while waiting for the engine".into()),
        }
    }
}

/// How often a wait for the engine looks at the stop flag.
const STOP_POLL: Duration = Duration::from_millis(100);

/// A running child with its reader, writer and stderr threads.
struct Live {
    child: Child,
    to_child: Option<Sender<String>>,
    lines: Receiver<Line>,
    stderr: Arc<Mutex<VecDeque<String>>>,
    stderr_reader: thread::JoinHandle<()>,
}

impl Live {
    fn start(argv: &[String]) -> Result<Live> {
        let (prog, args) = argv.split_first().ok_or_else(|| anyhow!("empty engine command"))?;
        let mut child = Command::new(prog)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own process group, so a timeout kills whatever the engine started too.
            .process_group(0)
            .spawn()
            .map_err(|e| anyhow!("cannot start `{}`: {e}", argv.join(" ")))?;
        if let Ok(mut c) = CHILDREN.lock() {
            c.push(child.id());
        }
        let (stdin, stdout, stderr) = match (child.stdin.take(), child.stdout.take(), child.stderr.take()) {
            (Some(i), Some(o), Some(e)) => (i, o, e),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                bail!("cannot open the pipes of `{}`", argv.join(" "));
            }
        };
        let (line_tx, lines) = mpsc::channel();
        thread::spawn(move || read_lines(stdout, &line_tx));
        let (to_child, requests) = mpsc::channel();
        thread::spawn(move || write_lines(stdin, &requests));
        let tail = Arc::new(Mutex::new(VecDeque::new()));
        let sink = Arc::clone(&tail);
        let stderr_reader = thread::spawn(move || keep_stderr(stderr, &sink));
        Ok(Live { child, to_child: Some(to_child), lines, stderr: tail, stderr_reader })
    }

    fn send(&self, msg: &Value) {
        if let Some(tx) = &self.to_child {
            // A closed channel means the writer saw a broken pipe; the read reports it.
            let _ = tx.send(msg.to_string());
        }
    }

    /// The next non-blank line, or why there is none before `deadline` (or before `stop` is
    /// set).
    fn next_message(
        &mut self,
        deadline: Instant,
        what: &str,
        stop: Option<&AtomicBool>,
    ) -> std::result::Result<Value, Failure> {
        loop {
            // Checked first, so a stream of blank lines cannot keep us here.
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Failure::TimedOut);
            }
            if stop.is_some_and(|s| s.load(Ordering::SeqCst)) {
                return Err(Failure::Interrupted);
            }
            let wait = if stop.is_some() { left.min(STOP_POLL) } else { left };
            let line = match self.lines.recv_timeout(wait) {
                Ok(line) => line,
                Err(RecvTimeoutError::Timeout) if wait < left => continue,
                Err(RecvTimeoutError::Timeout) => return Err(Failure::TimedOut),
                Err(RecvTimeoutError::Disconnected) => Line::Eof,
            };
            let text = match line {
                Line::Text(t) if t.trim().is_empty() => continue,
                Line::Text(t) => t,
                Line::TooLong => {
                    return Err(Failure::Crashed(format!("a line longer than {MAX_LINE} bytes {what}")));
                }
                Line::Eof => return Err(Failure::Crashed(self.exit_report(what))),
                Line::Partial(t) => {
                    let report = self.exit_report(what);
                    return Err(Failure::Crashed(format!("{report}, leaving an unfinished line: {}", clip(&t, 200))));
                }
                Line::Failed(e) => return Err(Failure::Crashed(format!("reading stdout {what}: {e}"))),
            };
            return match serde_json::from_str::<Value>(&text) {
                Ok(v @ Value::Object(_)) => Ok(v),
                _ => Err(Failure::Crashed(format!("garbage {what}: {}", clip(&text, 200)))),
            };
        }
    }

    /// Why stdout closed: the exit status (waiting briefly for it) and the last stderr lines.
    fn exit_report(&mut self, what: &str) -> String {
        let status = wait_briefly(&mut self.child, EXIT_GRACE);
        let status = match status {
            Some(s) => format!("exited with {s}"),
            None => "closed its stdout".to_string(),
        };
        format!("the engine {status} {what}")
    }

    /// The last stderr lines. When the child has exited, what it wrote just before may still
    /// be in the pipe: wait briefly for the reader to reach the end (a grandchild holding the
    /// pipe open cannot keep us longer than the grace period).
    fn stderr_tail(&mut self) -> String {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            let deadline = Instant::now() + EXIT_GRACE;
            while !self.stderr_reader.is_finished() && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(5));
            }
        }
        let lines = match self.stderr.lock() {
            Ok(l) => l.iter().cloned().collect::<Vec<_>>(),
            Err(_) => Vec::new(),
        };
        if lines.is_empty() {
            String::new()
        } else {
            format!("; last stderr lines:\n{}", lines.join("\n"))
        }
    }

    /// Kills the child and its process group, and reaps it.
    fn kill(&mut self) {
        self.to_child = None;
        if let Ok(None) = self.child.try_wait() {
            // Best effort for grandchildren; the direct kill below is what must work.
            kill_group(self.child.id());
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
        if let Ok(mut c) = CHILDREN.lock() {
            c.retain(|&pid| pid != self.child.id());
        }
    }

    /// Says `bye` and gives the child a moment to exit; Drop kills what is left.
    fn stop(mut self) {
        self.send(&json!({"type": "bye"}));
        self.to_child = None;
        let _ = wait_briefly(&mut self.child, EXIT_GRACE);
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.kill();
    }
}

fn wait_briefly(child: &mut Child, grace: Duration) -> Option<ExitStatus> {
    let until = Instant::now() + grace;
    loop {
        match child.try_wait() {
            Ok(Some(s)) => return Some(s),
            Ok(None) if Instant::now() < until => thread::sleep(Duration::from_millis(5)),
            _ => return None,
        }
    }
}

fn read_lines(stdout: impl Read, tx: &Sender<Line>) {
    let mut reader = BufReader::new(stdout);
    loop {
        let mut buf = Vec::new();
        let msg = match (&mut reader).take(MAX_LINE + 1).read_until(b'\n', &mut buf) {
            Ok(0) => Line::Eof,
            Ok(_) if buf.last() != Some(&b'\n') && buf.len() as u64 > MAX_LINE => Line::TooLong,
            Ok(_) if buf.last() != Some(&b'\n') => Line::Partial(String::from_utf8_lossy(&buf).into_owned()),
            Ok(_) => Line::Text(String::from_utf8_lossy(&buf).into_owned()),
            Err(e) => Line::Failed(e.to_string()),
        };
        let last = !matches!(msg, Line::Text(_));
        if tx.send(msg).is_err() || last {
            return;
        }
    }
}

fn write_lines(mut stdin: ChildStdin, rx: &Receiver<String>) {
    for line in rx {
        if writeln!(stdin, "{line}").and_then(|_| stdin.flush()).is_err() {
            return;
        }
    }
}

fn keep_stderr(stderr: impl Read, tail: &Mutex<VecDeque<String>>) {
    let mut reader = BufReader::new(stderr);
    loop {
        let mut buf = Vec::new();
        match (&mut reader).take(64 * 1024).read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let line = String::from_utf8_lossy(&buf);
                if let Ok(mut t) = tail.lock() {
                    if t.len() == STDERR_LINES {
                        t.pop_front();
                    }
                    t.push_back(clip(line.trim_end(), STDERR_LINE_CHARS));
                }
            }
        }
    }
}

/// The features an engine declared in its `hello`: ids or prefixes (`retry` covers
/// `retry.backoff`), `*` for all, minus the `unsupported` ones.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureSupport {
    pub engine: String,
    pub features: Vec<String>,
    pub unsupported: Vec<String>,
}

impl Default for FeatureSupport {
    fn default() -> Self {
        FeatureSupport { engine: "process".to_string(), features: vec!["*".to_string()], unsupported: Vec::new() }
    }
}

impl FeatureSupport {
    /// `None` when every one of `features` is declared; otherwise why not, for a skip.
    pub fn unsupported_reason(&self, features: &[String]) -> Option<String> {
        let covers = |list: &[String], f: &str| {
            list.iter().any(|p| p == "*" || p == f || f.strip_prefix(p.as_str()).is_some_and(|r| r.starts_with('.')))
        };
        let missing: Vec<&str> = features
            .iter()
            .map(String::as_str)
            .filter(|f| !covers(&self.features, f) || covers(&self.unsupported, f))
            .collect();
        if missing.is_empty() {
            None
        } else {
            Some(format!("{} does not support {}", self.engine, missing.join(", ")))
        }
    }
}

/// An engine behind a child process speaking PROTOCOL.md.
pub struct ProcessEngine {
    argv: Vec<String>,
    timeout: Duration,
    name: String,
    version: String,
    support: FeatureSupport,
    live: Option<Live>,
    next_id: u64,
    starts: u32,
    failed_starts: u32,
    /// Set by [`Engine::run_stream`] while it runs: a wait for the engine ends when the
    /// stream's stop flag is set, and `interrupted` says the answer never came.
    stop: Option<Arc<AtomicBool>>,
    interrupted: bool,
}

impl std::fmt::Debug for ProcessEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessEngine")
            .field("argv", &self.argv)
            .field("name", &self.name)
            .field("version", &self.version)
            .field("running", &self.live.is_some())
            .finish()
    }
}

impl ProcessEngine {
    /// Starts `cmd` (split like a shell would, without expansion) and reads its `hello`.
    /// `timeout` bounds the `hello` and every later answer.
    pub fn spawn(cmd: &str, timeout: Duration) -> Result<ProcessEngine> {
        let argv = split_command(cmd)?;
        let mut engine = ProcessEngine {
            argv,
            timeout,
            name: "process".to_string(),
            version: String::new(),
            support: FeatureSupport::default(),
            live: None,
            next_id: 0,
            starts: 0,
            failed_starts: 0,
            stop: None,
            interrupted: false,
        };
        engine.start().map_err(|f| match f {
            Failure::TimedOut => anyhow!("`{cmd}` did not say hello within {timeout:?}"),
            Failure::Crashed(r) => anyhow!("`{cmd}`: {r}"),
            Failure::Interrupted => anyhow!("`{cmd}`: interrupted before its hello"),
        })?;
        Ok(engine)
    }

    /// How many times the child process was started (1 + restarts).
    pub fn starts(&self) -> u32 {
        self.starts
    }

    /// The process id of the running child, if one is running (for peak-RSS readings).
    pub fn pid(&self) -> Option<u32> {
        self.live.as_ref().map(|l| l.child.id())
    }

    /// The features the engine declared in its last `hello`. A copy, so a suite can consult
    /// it while the engine is borrowed for running.
    pub fn feature_support(&self) -> FeatureSupport {
        self.support.clone()
    }

    /// `None` when the engine declared every one of `features`; otherwise why not, for a skip.
    pub fn unsupported_reason(&self, features: &[String]) -> Option<String> {
        self.support.unsupported_reason(features)
    }

    /// Whether the engine declared every one of `features` (ids as in corpus/features.txt).
    pub fn supports(&self, features: &[String]) -> bool {
        self.unsupported_reason(features).is_none()
    }

    /// Runs a case only when its features are declared supported; skips it (Unsupported)
    /// without sending it otherwise.
    pub fn run_case(&mut self, req: &Request, features: &[String]) -> Outcome {
        match self.unsupported_reason(features) {
            Some(reason) => Outcome::Unsupported(reason),
            None => self.run(req),
        }
    }

    /// Asks the engine to validate a definition: `Ok(diagnostics)` (empty = valid), or the
    /// outcome (crashed, timed out, unsupported...) that stood in the way.
    pub fn validate(&mut self, definition: &Value) -> std::result::Result<Vec<WireDiagnostic>, Outcome> {
        let answer = self.request("validate", json!({"definition": definition}))?;
        match answer.get("type").and_then(Value::as_str) {
            Some("validation") => Ok(diagnostics(&answer)),
            Some("unsupported") => Err(Outcome::Unsupported(reason(&answer))),
            Some("error") => Err(Outcome::Error(reason(&answer))),
            other => Err(self.protocol_error(other, "validation")),
        }
    }

    /// Starts the child and reads its `hello`.
    fn start(&mut self) -> std::result::Result<(), Failure> {
        self.starts += 1;
        let mut live = Live::start(&self.argv).map_err(|e| Failure::Crashed(e.to_string()))?;
        let hello = live.next_message(Instant::now() + self.timeout, "before its hello", self.stop.as_deref());
        let hello = hello.and_then(|h| self.read_hello(&h).map_err(Failure::Crashed));
        match hello {
            Ok(()) => {
                self.live = Some(live);
                Ok(())
            }
            Err(Failure::Crashed(r)) => Err(Failure::Crashed(r + &live.stderr_tail())),
            Err(t) => Err(t),
        }
    }

    fn read_hello(&mut self, hello: &Value) -> std::result::Result<(), String> {
        if hello.get("type").and_then(Value::as_str) != Some("hello") {
            return Err(format!("expected a hello, got {}", clip(&hello.to_string(), 200)));
        }
        let protocol = hello.get("protocol").and_then(Value::as_u64);
        if protocol != Some(PROTOCOL_VERSION) {
            return Err(format!("the engine speaks protocol {protocol:?}, the harness {PROTOCOL_VERSION}"));
        }
        let strings = |k: &str| -> Option<Vec<String>> {
            hello.get(k)?.as_array().map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        };
        self.name = hello.get("engine").and_then(Value::as_str).unwrap_or("process").to_string();
        self.version = hello.get("version").and_then(Value::as_str).unwrap_or("").to_string();
        self.support = FeatureSupport {
            engine: self.name.clone(),
            features: strings("features").unwrap_or_else(|| vec!["*".to_string()]),
            unsupported: strings("unsupported").unwrap_or_default(),
        };
        Ok(())
    }

    /// Makes sure a child is running, restarting after a crash or a timeout.
    fn ensure_running(&mut self) -> std::result::Result<(), Outcome> {
        if self.live.is_some() {
            return Ok(());
        }
        if self.failed_starts >= MAX_FAILED_STARTS {
            return Err(Outcome::Crashed(format!("the engine failed to start {MAX_FAILED_STARTS} times in a row")));
        }
        match self.start() {
            Ok(()) => {
                self.failed_starts = 0;
                Ok(())
            }
            Err(f) => {
                self.failed_starts += 1;
                self.interrupted = matches!(f, Failure::Interrupted);
                Err(match f {
                    Failure::Crashed(r) => Outcome::Crashed(format!("restarting the engine: {r}")),
                    t => t.into_outcome(),
                })
            }
        }
    }

    /// Sends one request and waits for the answer with the same id. Any failure ends the
    /// child, so the next request starts a fresh one.
    fn request(&mut self, kind: &str, body: Value) -> std::result::Result<Value, Outcome> {
        self.ensure_running()?;
        self.next_id += 1;
        let id = self.next_id.to_string();
        let mut msg = Map::new();
        msg.insert("type".into(), kind.into());
        msg.insert("id".into(), id.clone().into());
        if let Value::Object(fields) = body {
            msg.extend(fields);
        }
        let Some(live) = self.live.as_mut() else {
            return Err(Outcome::Crashed("the engine is not running".to_string()));
        };
        live.send(&Value::Object(msg));
        let what = format!("while answering {kind} request {id}");
        let answer =
            live.next_message(Instant::now() + self.timeout, &what, self.stop.as_deref()).and_then(|a| {
                match a.get("id").and_then(Value::as_str) {
                    Some(got) if got == id => Ok(a),
                    _ => Err(Failure::Crashed(format!(
                        "an answer that is not for request {id}: {}",
                        clip(&a.to_string(), 200)
                    ))),
                }
            });
        let failure = match answer {
            Ok(a) => return Ok(a),
            Err(Failure::Crashed(r)) => Failure::Crashed(r + &live.stderr_tail()),
            Err(t) => t,
        };
        self.interrupted = matches!(failure, Failure::Interrupted);
        self.discard();
        Err(failure.into_outcome())
    }

    /// An answer of the wrong type: the child is out of step, so it goes.
    fn protocol_error(&mut self, got: Option<&str>, expected: &str) -> Outcome {
        self.discard();
        Outcome::Crashed(format!("expected a {expected} answer, got type {got:?}"))
    }

    /// Drops (kills) the child; the next request starts a new one.
    fn discard(&mut self) {
        self.live = None;
    }
}

fn reason(answer: &Value) -> String {
    let r = answer.get("reason").or_else(|| answer.get("message"));
    r.and_then(Value::as_str).unwrap_or("no reason given").to_string()
}

fn diagnostics(answer: &Value) -> Vec<WireDiagnostic> {
    let list = answer.get("diagnostics").and_then(Value::as_array);
    list.map(|l| l.iter().map(WireDiagnostic::from_json).collect()).unwrap_or_default()
}

/// The `run` message body for a request: with its definition, or with the id of a machine
/// created in this session.
fn run_body(req: &Request, machine: Option<&str>, timeout: Duration) -> Value {
    let mut body = Map::new();
    match machine {
        Some(m) => body.insert("machine".into(), m.into()),
        None => body.insert("definition".into(), req.definition.clone()),
    };
    body.insert("input".into(), req.input.clone());
    if let Some(b) = req.behaviours {
        body.insert("behaviours".into(), b.clone());
    }
    if let Some(c) = req.context {
        body.insert("context".into(), c.clone());
    }
    body.insert("seed".into(), req.seed.into());
    if req.expects_history {
        body.insert("history".into(), true.into());
    }
    let ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
    body.insert("limits".into(), json!({"timeout_ms": ms}));
    Value::Object(body)
}

fn rejected(answer: &Value) -> Outcome {
    let diags = diagnostics(answer);
    Outcome::Rejected {
        codes: diags.iter().map(|d| d.code.clone()).collect(),
        messages: diags.iter().map(ToString::to_string).collect(),
    }
}

/// A machine created in the child: its id there, and which start of the child made it (a
/// restarted child has forgotten it).
struct ChildMachine {
    id: String,
    start: u32,
}

impl ProcessEngine {
    /// Sends a run request and reads its answer.
    fn run_request(&mut self, req: &Request, machine: Option<&str>) -> Outcome {
        let answer = match self.request("run", run_body(req, machine, self.timeout)) {
            Ok(a) => a,
            Err(outcome) => return outcome,
        };
        match answer.get("type").and_then(Value::as_str) {
            Some("result") => {
                let mut result = answer;
                if let Value::Object(m) = &mut result {
                    m.shift_remove("type");
                    m.shift_remove("id");
                }
                Outcome::Ran { result }
            }
            Some("rejected") => rejected(&answer),
            Some("unsupported") => Outcome::Unsupported(reason(&answer)),
            Some("poisoned") => Outcome::Poisoned(reason(&answer)),
            Some("error") => Outcome::Error(reason(&answer)),
            other => self.protocol_error(other, "result"),
        }
    }
}

impl Engine for ProcessEngine {
    fn name(&self) -> &str {
        &self.name
    }

    fn version(&self) -> String {
        self.version.clone()
    }

    fn run(&mut self, req: &Request) -> Outcome {
        self.run_request(req, None)
    }

    /// One case at a time, as the default does; but a stop (Ctrl-C, SIGTERM) also ends the wait
    /// for the case in flight, which is then not reported (the engine is killed).
    fn run_stream(
        &mut self,
        reqs: &mut dyn Iterator<Item = (usize, Request)>,
        stop: &AtomicBool,
        done: crate::engine::Done,
    ) {
        let flag = Arc::new(AtomicBool::new(stop.load(Ordering::SeqCst)));
        self.stop = Some(Arc::clone(&flag));
        // The caller's flag is a plain reference: a watcher thread mirrors it into ours.
        let finished = AtomicBool::new(false);
        thread::scope(|scope| {
            scope.spawn(|| {
                while !finished.load(Ordering::SeqCst) {
                    if stop.load(Ordering::SeqCst) {
                        flag.store(true, Ordering::SeqCst);
                        return;
                    }
                    thread::sleep(STOP_POLL / 2);
                }
            });
            for (i, req) in reqs {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let started = Instant::now();
                let outcome = self.run(&req);
                if std::mem::take(&mut self.interrupted) || !done(i, outcome, started.elapsed()) {
                    break;
                }
            }
            finished.store(true, Ordering::SeqCst);
        });
        self.stop = None;
    }

    fn create(&mut self, req: &Request) -> Result<Machine, Outcome> {
        let answer = self.request("create", json!({"definition": req.definition}))?;
        match answer.get("type").and_then(Value::as_str) {
            Some("created") => match answer.get("machine").and_then(Value::as_str) {
                Some(id) => Ok(Machine::new(ChildMachine { id: id.to_string(), start: self.starts })),
                None => {
                    self.discard();
                    Err(Outcome::Crashed("a created answer without a machine id".to_string()))
                }
            },
            Some("rejected") => Err(rejected(&answer)),
            Some("unsupported") => Err(Outcome::Unsupported(reason(&answer))),
            Some("error") => Err(Outcome::Error(reason(&answer))),
            other => Err(self.protocol_error(other, "created")),
        }
    }

    fn run_created(&mut self, machine: &Machine, req: &Request) -> Outcome {
        let Some(m) = machine.handle::<ChildMachine>() else {
            return foreign_machine(&self.name);
        };
        if m.start != self.starts || self.live.is_none() {
            return Outcome::Error("the engine was restarted after it created this state machine".to_string());
        }
        self.run_request(req, Some(&m.id))
    }

    fn delete(&mut self, machine: Machine) {
        let Some(m) = machine.handle::<ChildMachine>() else { return };
        if m.start == self.starts && self.live.is_some() {
            // Whatever the answer, the machine is gone from our side.
            let _ = self.request("delete", json!({"machine": m.id}));
        }
    }
}

impl Drop for ProcessEngine {
    fn drop(&mut self) {
        if let Some(live) = self.live.take() {
            live.stop();
        }
    }
}

/// Splits a command line like a POSIX shell: blanks separate words; single quotes keep
/// everything; double quotes keep everything but `\"`, `\\`, `\$` and `` \` ``; a backslash
/// outside quotes keeps the next character. No expansion of any kind.
pub fn split_command(cmd: &str) -> Result<Vec<String>> {
    let (mut words, mut word, mut in_word) = (Vec::new(), String::new(), false);
    let mut chars = cmd.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => bail!("unterminated single quote in `{cmd}`"),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => bail!("unterminated double quote in `{cmd}`"),
                        },
                        Some(c) => word.push(c),
                        None => bail!("unterminated double quote in `{cmd}`"),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => word.push(c),
                    None => bail!("trailing backslash in `{cmd}`"),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    if words.is_empty() {
        bail!("empty engine command");
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(cmd: &str) -> Vec<String> {
        split_command(cmd).unwrap_or_else(|e| vec![format!("error: {e}")])
    }

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(words("python3  engine.py --x 1"), ["python3", "engine.py", "--x", "1"]);
        assert_eq!(words("a 'b c' \"d \\\"e\\\" \\n\" f\\ g ''"), ["a", "b c", "d \"e\" \\n", "f g", ""]);
        assert_eq!(words("x'y'\"z\""), ["xyz"]);
        assert!(split_command("a 'b").is_err());
        assert!(split_command("a \"b").is_err());
        assert!(split_command("a \\").is_err());
        assert!(split_command("   ").is_err());
    }

    fn engine_with(features: &[&str], unsupported: &[&str]) -> ProcessEngine {
        let list = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
        ProcessEngine {
            argv: vec!["true".into()],
            timeout: Duration::from_secs(1),
            name: "e".into(),
            version: String::new(),
            support: FeatureSupport { engine: "e".into(), features: list(features), unsupported: list(unsupported) },
            live: None,
            next_id: 0,
            starts: 0,
            failed_starts: 0,
            stop: None,
            interrupted: false,
        }
    }

    fn f(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn features_match_by_id_or_prefix() {
        let e = engine_with(&["retry", "pass.result"], &["retry.backoff.jitter"]);
        assert!(e.supports(&f(&["retry.backoff", "pass.result"])));
        assert!(e.supports(&f(&[])));
        assert!(!e.supports(&f(&["retryx"])));
        assert!(!e.supports(&f(&["pass"])));
        assert_eq!(
            e.unsupported_reason(&f(&["retry.backoff.jitter.full", "map"])),
            Some("e does not support retry.backoff.jitter.full, map".to_string())
        );
        let all = engine_with(&["*"], &["map.distributed"]);
        assert!(all.supports(&f(&["anything.at.all"])));
        assert!(!all.supports(&f(&["map.distributed.item-reader"])));
    }

    #[test]
    fn diagnostics_read_like_asl_display() {
        let d = WireDiagnostic::from_json(&json!({"code": "C", "message": "m", "location": "/States/A", "rule": "r"}));
        assert_eq!(d.to_string(), "C: m at /States/A [r]");
        let bare = WireDiagnostic::from_json(&json!({"code": "C", "message": "m"}));
        assert_eq!(bare.to_string(), "C: m");
    }

    #[test]
    fn run_body_leaves_out_absent_parts() {
        let (def, input) = (json!({"StartAt": "A"}), json!({"x": 1}));
        let req = Request { seed: 7, ..Request::new(&def, &input) };
        let body = run_body(&req, None, Duration::from_millis(1500));
        assert_eq!(
            body,
            json!({"definition": {"StartAt": "A"}, "input": {"x": 1}, "seed": 7, "limits": {"timeout_ms": 1500}})
        );
        let created = run_body(&req, Some("m1"), Duration::from_millis(1500));
        assert_eq!(created, json!({"machine": "m1", "input": {"x": 1}, "seed": 7, "limits": {"timeout_ms": 1500}}));
    }

    #[test]
    fn a_missing_program_is_an_error_not_a_panic() {
        let e = ProcessEngine::spawn("/nonexistent/engine --x", Duration::from_secs(1));
        assert!(e.is_err_and(|e| e.to_string().contains("cannot start")));
    }
}
