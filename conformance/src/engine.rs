//! Engines that run cases: the trait, and the reference interpreter in process. The process
//! engine is in [`crate::process`], the Step Functions API engine in the `asl-sfn` crate.

use asl::{Behaviours, ExecutionContext, RunOptions, StateMachine};
use serde_json::{json, Value};
use std::any::Any;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// One execution request, engine-neutral.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub definition: &'a Value,
    pub input: &'a Value,
    pub behaviours: Option<&'a Value>,
    pub context: Option<&'a Value>,
    pub seed: u64,
    /// The case's flags (`express`, `timing`...).
    pub flags: &'a [String],
    /// The case compares the execution history: an engine that cannot report a faithful one
    /// may answer `Unsupported` instead of failing the case. When false, nobody reads the
    /// history, and an engine may leave it out of its result (the reference does: building a
    /// history as JSON costs more than the run itself).
    pub expects_history: bool,
}

impl<'a> Request<'a> {
    /// A request with no behaviours, context or flags, seed 0, and no history read: set the
    /// other fields with struct update syntax.
    pub fn new(definition: &'a Value, input: &'a Value) -> Request<'a> {
        Request { definition, input, behaviours: None, context: None, seed: 0, flags: &[], expects_history: false }
    }
}

/// A state machine that an engine created once ([`Engine::create`]) for many executions, as
/// CreateStateMachine is followed by many StartExecution calls. What it holds is the
/// engine's own (a compiled machine, an id in a child process, an ARN).
pub struct Machine(Box<dyn Any + Send>);

impl Machine {
    pub fn new(handle: impl Any + Send) -> Machine {
        Machine(Box::new(handle))
    }

    /// The handle, if it is of the type the engine made (a machine from another engine is not).
    pub fn handle<T: Any>(&self) -> Option<&T> {
        self.0.downcast_ref()
    }
}

impl std::fmt::Debug for Machine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Machine(..)")
    }
}

/// The answer to a [`Machine`] some other engine made.
pub fn foreign_machine(engine: &str) -> Outcome {
    Outcome::Error(format!("{engine} was given a state machine that it did not create"))
}

/// What an engine reports.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The definition was rejected, with the diagnostic codes.
    Rejected { codes: Vec<String>, messages: Vec<String> },
    /// The execution ran; `result` is the object `aslcheck run` prints.
    Ran { result: Value },
    /// The engine cannot run this case (a feature it lacks, a behaviour it cannot express).
    Unsupported(String),
    /// An engine limit or throttling got in the way: not a conformance verdict.
    Poisoned(String),
    /// The engine process died or spoke garbage while running the case.
    Crashed(String),
    /// The engine did not answer within the time allowed.
    TimedOut,
    /// The case could not be run for a reason on our side (bad behaviours file...).
    Error(String),
}

/// Called with each finished case of [`Engine::run_stream`]: its index, outcome and wall time;
/// `false` ends the stream (the caller could not record the result).
pub type Done<'d> = &'d mut dyn FnMut(usize, Outcome, Duration) -> bool;

pub trait Engine {
    fn name(&self) -> &str;
    /// The engine's own version string, for reports.
    fn version(&self) -> String {
        String::new()
    }
    fn run(&mut self, req: &Request) -> Outcome;

    /// Creates the request's state machine once, for executions by [`Engine::run_created`].
    /// `Err` is what a run would have ended with before executing (`Rejected` for an invalid
    /// definition); an engine that creates its machine for every run answers `Unsupported`.
    fn create(&mut self, req: &Request) -> Result<Machine, Outcome> {
        let _ = req;
        Err(Outcome::Unsupported(format!("{} creates its state machine for every run", self.name())))
    }

    /// One execution of a machine from [`Engine::create`], which must be given a request with
    /// the same definition, behaviours and flags (an engine may have built them into the
    /// machine); input, context and seed are this execution's.
    fn run_created(&mut self, machine: &Machine, req: &Request) -> Outcome {
        let _ = (machine, req);
        foreign_machine(self.name())
    }

    /// Deletes a machine from [`Engine::create`].
    fn delete(&mut self, machine: Machine) {
        let _ = machine;
    }

    /// How many cases the engine runs at once in [`Engine::run_stream`].
    fn concurrency(&self) -> usize {
        1
    }

    /// Seconds a measured retry delay may differ from the expected one: zero for engines with
    /// a virtual clock, more for engines that really wait.
    fn timing_tolerance(&self) -> f64 {
        0.0
    }

    /// Runs requests as they come, reporting each as it finishes (in any order). `stop`
    /// (Ctrl-C) ends the stream: no new case starts, and cases in flight may be abandoned
    /// without being reported. The default runs one case at a time.
    fn run_stream(&mut self, reqs: &mut dyn Iterator<Item = (usize, Request)>, stop: &AtomicBool, done: Done) {
        for (i, req) in reqs {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            let started = Instant::now();
            let outcome = self.run(&req);
            if !done(i, outcome, started.elapsed()) {
                return;
            }
        }
    }
}

/// The largest execution input StartExecution accepts: 262,144 bytes of UTF-8 ("Length
/// constraints apply to the payload size, and are expressed as bytes in UTF-8 encoding",
/// https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html).
pub const MAX_INPUT_BYTES: usize = 262_144;

/// What StartExecution answers to an input it refuses for its size, as the sfn engine reports
/// any refused start: status `NOT_STARTED` with the API's error code and message. `None` when
/// the input is small enough. UNSURE(aws): the code is `InvalidExecutionInput` ("The provided
/// JSON input data is not valid", the StartExecution error for a bad input); AWS's generic
/// constraint check could answer `ValidationException` instead.
pub fn refused_input(input: &Value) -> Option<Value> {
    /// Counts bytes and stops the serializer once past the limit.
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            if self.0 > MAX_INPUT_BYTES {
                return Err(std::io::Error::other("too large"));
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    if serde_json::to_writer(&mut count, input).is_ok() {
        return None;
    }
    let size = serde_json::to_string(input).map(|s| s.len()).unwrap_or(count.0);
    Some(json!({
        "status": "NOT_STARTED",
        "error": "InvalidExecutionInput",
        "cause": format!("The execution input is {size} bytes; StartExecution accepts at most {MAX_INPUT_BYTES} bytes (256 KiB) of UTF-8."),
    }))
}

/// The `asl` reference interpreter.
#[derive(Debug, Default)]
pub struct Reference;

impl Engine for Reference {
    fn name(&self) -> &str {
        "reference"
    }

    fn version(&self) -> String {
        format!("asl {}", env!("CARGO_PKG_VERSION"))
    }

    fn run(&mut self, req: &Request) -> Outcome {
        match self.create(req) {
            Ok(machine) => self.run_created(&machine, req),
            Err(outcome) => outcome,
        }
    }

    fn create(&mut self, req: &Request) -> Result<Machine, Outcome> {
        let (sm, diags) = Reference::check(req.definition);
        match sm {
            Some(sm) => Ok(Machine::new(sm)),
            None => Err(Outcome::Rejected {
                codes: diags.iter().map(|d| d.code.to_string()).collect(),
                messages: diags.iter().map(|d| d.to_string()).collect(),
            }),
        }
    }

    fn run_created(&mut self, machine: &Machine, req: &Request) -> Outcome {
        match machine.handle::<StateMachine>() {
            Some(sm) => Reference::execute(sm, req),
            None => foreign_machine(self.name()),
        }
    }
}

impl Reference {
    /// Parses and validates a definition. A definition given as a JSON string is the
    /// definition's text (for cases about unparseable definitions).
    pub fn check(definition: &Value) -> (Option<StateMachine>, Vec<asl::Diagnostic>) {
        match definition {
            Value::String(text) => asl::check_str(text),
            v => asl::check(v),
        }
    }

    /// One execution of a checked machine with the request's input, behaviours, context and seed.
    pub fn execute(sm: &StateMachine, req: &Request) -> Outcome {
        if let Some(result) = refused_input(req.input) {
            return Outcome::Ran { result };
        }
        let mut opts = RunOptions { seed: req.seed, ..RunOptions::default() };
        if let Some(b) = req.behaviours {
            match Behaviours::from_json(b) {
                Ok(b) => opts.behaviours = b,
                Err(e) => return Outcome::Error(e),
            }
        }
        if let Some(c) = req.context {
            match ExecutionContext::from_json(c) {
                Ok(c) => opts.context = c,
                Err(e) => return Outcome::Error(e),
            }
        }
        // The history is recorded either way, as an engine keeps it; it is converted to JSON
        // only for a case that reads it.
        let run = asl::run(sm, req.input.clone(), &opts);
        let result = if req.expects_history { run.into_json() } else { run.into_json_without_history() };
        Outcome::Ran { result }
    }
}
