//! What the machine generator may produce. Defaults reach every feature at moderate size; an
//! arbitrary `GenConfig` (swarm testing) switches features off at random and shrinks or grows
//! the limits, so that rare interactions get machines that concentrate on them.

use arbitrary::{Arbitrary, Unstructured};
use serde::{Deserialize, Serialize};

/// State kinds a construction step may add. `Loop` is a bounded loop (counter variable, a
/// `States.MathAdd` increment and a Choice back-edge); Succeed and Fail are always available as
/// the terminal of a machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Arbitrary)]
pub enum StateKind {
    Pass,
    Task,
    Choice,
    Wait,
    Parallel,
    Map,
    Loop,
}

impl StateKind {
    pub const ALL: [StateKind; 7] = [
        StateKind::Pass,
        StateKind::Task,
        StateKind::Choice,
        StateKind::Wait,
        StateKind::Parallel,
        StateKind::Map,
        StateKind::Loop,
    ];
}

/// Data-flow features a state may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Arbitrary)]
pub enum PathFeature {
    InputPath,
    Parameters,
    ResultSelector,
    ResultPath,
    OutputPath,
    /// Wildcards, slices, filters and recursive descent inside templates.
    Indefinite,
    /// `$$.Execution...`, `$$.State...`, `$$.Map.Item...`.
    Context,
    /// `Assign` and `$var` reads.
    Variables,
    /// Intrinsic function calls (restricted further by `GenConfig::intrinsics`).
    Intrinsics,
}

impl PathFeature {
    pub const ALL: [PathFeature; 9] = [
        PathFeature::InputPath,
        PathFeature::Parameters,
        PathFeature::ResultSelector,
        PathFeature::ResultPath,
        PathFeature::OutputPath,
        PathFeature::Indefinite,
        PathFeature::Context,
        PathFeature::Variables,
        PathFeature::Intrinsics,
    ];
}

/// Which query languages generated machines use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, Arbitrary)]
pub enum QueryLanguageMix {
    /// Every state in JSONPath mode (the default: seeds made before JSONata keep their machines).
    #[default]
    #[serde(rename = "JSONPath")]
    JsonPath,
    /// `"QueryLanguage": "JSONata"` at the top: every state, nested ones too, is JSONata.
    #[serde(rename = "JSONata")]
    Jsonata,
    /// JSONPath at the top; each construction step's state is JSONata by a per-state
    /// `"QueryLanguage": "JSONata"` at even odds, so data and variables cross between modes.
    #[serde(rename = "mixed")]
    Mixed,
}

/// Every intrinsic function of JSONPath mode.
pub const INTRINSICS: [&str; 18] = asl::intrinsics::Func::NAMES;

/// Every Choice comparison operator (the combinators And/Or/Not are `GenConfig::choice_nesting`).
pub const CHOICE_OPERATORS: [&str; 39] = asl::choice::OPERATOR_NAMES;

/// Generator settings. Every field has a default chosen to reach every feature in a few hundred
/// machines while keeping each machine small enough to read when a property fails.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GenConfig {
    /// Construction steps per machine (default 12). Each step adds one state (or a loop, or a
    /// fan-out with its own nested machines); shrinking deletes steps.
    pub max_steps: usize,
    /// States per (nested) machine, terminal excluded (default 10): keeps branches readable.
    pub max_states_per_machine: usize,
    /// Nesting depth of Parallel/Map (default 2): depth 2 reaches a Map inside a Parallel
    /// branch, where scoping of names, variables and `$$.Map` interact.
    pub max_depth: u8,
    /// Branches per Parallel (default 3): two show ordering, three show abort of siblings.
    pub max_branches: u8,
    /// Items per array in generated inputs (default 4): enough for MaxConcurrency < items.
    pub max_items: u8,
    /// Iterations of a generated loop (default 3): bounded loops reach retry-counter resets and
    /// repeated Assign without long histories.
    pub max_loop_iterations: u8,
    /// Entries per Parameters/ResultSelector/ItemSelector/Assign template (default 4).
    pub max_template_entries: u8,
    /// Nesting of intrinsic calls inside each other (default 3; AWS allows 10).
    pub max_expr_depth: u8,
    /// Nesting of And/Or/Not in Choice rules (default 2).
    pub choice_nesting: u8,
    /// State kinds steps may add (default: all).
    pub state_kinds: Vec<StateKind>,
    /// Data-flow features (default: all).
    pub path_features: Vec<PathFeature>,
    /// Intrinsic functions by full name (default: all of [`INTRINSICS`]).
    pub intrinsics: Vec<String>,
    /// Choice operators by name (default: all of [`CHOICE_OPERATORS`]).
    pub choice_operators: Vec<String>,
    /// Retriers per Task/Parallel/Map (default 3; 0 = no Retry field ever).
    pub max_retriers: u8,
    /// Catchers per Task/Parallel/Map (default 2; 0 = no Catch field ever).
    pub max_catchers: u8,
    /// Whether Retry/Catch may end with a `States.ALL` entry (default true).
    pub states_all: bool,
    /// Whether retriers may use MaxDelaySeconds and JitterStrategy (default true).
    pub retry_timing: bool,
    /// Whether Map may run in DISTRIBUTED mode (default true).
    pub distributed_map: bool,
    /// Percent of data paths that miss the input (default 3; a machine reads some twenty paths,
    /// so about half the machines still miss somewhere): reaches `States.Runtime` routes.
    pub miss_rate: u8,
    /// Percent of intrinsic arguments of a type the function rejects (default 5): reaches
    /// `States.IntrinsicFailure`.
    pub bad_arg_rate: u8,
    /// Percent of scripted task attempts that throw (default 35).
    pub throw_rate: u8,
    /// Percent of thrown errors named by some Retry/Catch of the state (default 70); the rest
    /// are unmatched and fail the state.
    pub matched_throw_rate: u8,
    /// Percent of ResultPath/OutputPath choices that replace the data's shape (default 10):
    /// later paths then miss, as they do in real workflows that drop fields.
    pub shape_break_rate: u8,
    /// Percent of top-level machines with an execution TimeoutSeconds (default 10).
    pub execution_timeout_rate: u8,
    /// Query languages of generated states (default JSONPath only; swarm: JSONata or mixed).
    pub query_language: QueryLanguageMix,
    /// Percent of JSONata data reads that name a field the input lacks (default 2): the
    /// expression gives undefined and reaches `States.QueryEvaluationError`.
    pub undefined_rate: u8,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            max_steps: 12,
            max_states_per_machine: 10,
            max_depth: 2,
            max_branches: 3,
            max_items: 4,
            max_loop_iterations: 3,
            max_template_entries: 4,
            max_expr_depth: 3,
            choice_nesting: 2,
            state_kinds: StateKind::ALL.to_vec(),
            path_features: PathFeature::ALL.to_vec(),
            intrinsics: INTRINSICS.iter().map(|s| s.to_string()).collect(),
            choice_operators: CHOICE_OPERATORS.iter().map(|s| s.to_string()).collect(),
            max_retriers: 3,
            max_catchers: 2,
            states_all: true,
            retry_timing: true,
            distributed_map: true,
            miss_rate: 3,
            bad_arg_rate: 5,
            throw_rate: 35,
            matched_throw_rate: 70,
            shape_break_rate: 10,
            execution_timeout_rate: 10,
            query_language: QueryLanguageMix::JsonPath,
            undefined_rate: 2,
        }
    }
}

impl GenConfig {
    pub fn has(&self, f: PathFeature) -> bool {
        self.path_features.contains(&f)
    }

    pub fn allows(&self, k: StateKind) -> bool {
        self.state_kinds.contains(&k)
    }

    /// The configured intrinsics that exist (unknown names are ignored).
    pub(crate) fn intrinsic_allowed(&self, name: &str) -> bool {
        self.has(PathFeature::Intrinsics) && self.intrinsics.iter().any(|n| n == name)
    }

    /// Is the whole machine JSONata (top-level `QueryLanguage`)?
    pub fn jsonata_top(&self) -> bool {
        self.query_language == QueryLanguageMix::Jsonata
    }

    pub(crate) fn operator_allowed(&self, op: &str) -> bool {
        self.choice_operators.iter().any(|n| n == op)
    }
}

/// A random subset of `all`, never empty unless `allow_empty`.
fn subset<T: Clone>(u: &mut Unstructured, all: &[T], allow_empty: bool) -> arbitrary::Result<Vec<T>> {
    let mut out = Vec::new();
    for x in all {
        if u.arbitrary::<bool>()? {
            out.push(x.clone());
        }
    }
    if out.is_empty() && !allow_empty {
        let i = u.choose_index(all.len())?;
        if let Some(x) = all.get(i) {
            out.push(x.clone());
        }
    }
    Ok(out)
}

/// Swarm testing: random limits and random subsets of features. Exhausted input gives the
/// defaults' "everything off but Pass" corner, which still builds valid machines.
impl<'a> Arbitrary<'a> for GenConfig {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(GenConfig {
            max_steps: u.int_in_range(1..=24)?,
            max_states_per_machine: u.int_in_range(1..=16)?,
            max_depth: u.int_in_range(0..=3)?,
            max_branches: u.int_in_range(1..=4)?,
            max_items: u.int_in_range(0..=6)?,
            max_loop_iterations: u.int_in_range(1..=5)?,
            max_template_entries: u.int_in_range(1..=6)?,
            max_expr_depth: u.int_in_range(1..=5)?,
            choice_nesting: u.int_in_range(0..=3)?,
            state_kinds: subset(u, &StateKind::ALL, false)?,
            path_features: subset(u, &PathFeature::ALL, true)?,
            intrinsics: subset(u, &INTRINSICS, false)?.into_iter().map(String::from).collect(),
            choice_operators: subset(u, &CHOICE_OPERATORS, false)?.into_iter().map(String::from).collect(),
            max_retriers: u.int_in_range(0..=4)?,
            max_catchers: u.int_in_range(0..=3)?,
            states_all: u.arbitrary()?,
            retry_timing: u.arbitrary()?,
            distributed_map: u.arbitrary()?,
            miss_rate: u.int_in_range(0..=50)?,
            bad_arg_rate: u.int_in_range(0..=30)?,
            throw_rate: u.int_in_range(0..=100)?,
            matched_throw_rate: u.int_in_range(0..=100)?,
            shape_break_rate: u.int_in_range(0..=40)?,
            execution_timeout_rate: u.int_in_range(0..=30)?,
            // Drawn last, so every other field keeps the value it had before JSONata; exhausted
            // bytes give JSONata-only.
            query_language: if u.arbitrary::<bool>()? { QueryLanguageMix::Mixed } else { QueryLanguageMix::Jsonata },
            undefined_rate: u.int_in_range(0..=20)?,
        })
    }
}
