//! Error matching for Retry and Catch, and the retry delay formula.

use crate::error::names;
use crate::model::{Jitter, Retrier};
use crate::random::SeededRandom;

/// Does an `ErrorEquals` list match this error name?
///
/// `States.ALL` matches every error except `States.Runtime` (AWS never retries or catches it,
/// observed even with an explicit `States.Runtime` catcher). `States.DataLimitExceeded` is
/// documented as uncatchable by `States.ALL`, but real AWS caught it (asl-features 6.5): we
/// follow the observation. `States.TaskFailed` matches task errors except `States.Timeout`.
pub fn matches(error_equals: &[String], error: &str) -> bool {
    if error == names::RUNTIME {
        return false;
    }
    error_equals.iter().any(|e| {
        e == error
            || e == names::ALL
            // UNSURE(aws): which predefined errors States.TaskFailed stands for; we take every
            // error a task can raise except States.Timeout and the data-pipeline errors.
            || (e == names::TASK_FAILED && task_failed_covers(error))
    })
}

fn task_failed_covers(error: &str) -> bool {
    !error.starts_with("States.") || matches!(error, names::TASK_FAILED | names::PERMISSIONS | names::HEARTBEAT_TIMEOUT)
}

/// Seconds to wait before retry number `retry` (0-based) of a retrier:
/// `min(IntervalSeconds × BackoffRate^retry, MaxDelaySeconds)`, then FULL jitter picks a
/// uniform value in `[0, that]`.
pub fn delay_seconds(r: &Retrier, retry: u64, rng: &mut SeededRandom) -> f64 {
    let exp = i32::try_from(retry).unwrap_or(i32::MAX);
    let mut delay = r.interval_seconds as f64 * r.backoff_rate.powi(exp);
    if let Some(max) = r.max_delay_seconds {
        delay = delay.min(max as f64);
    }
    if !delay.is_finite() {
        delay = f64::MAX;
    }
    match r.jitter {
        Jitter::None => delay,
        Jitter::Full => rng.next_f64() * delay,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retrier(interval: u64, rate: f64, max: Option<u64>) -> Retrier {
        Retrier {
            error_equals: vec![names::ALL.into()],
            interval_seconds: interval,
            max_attempts: 3,
            backoff_rate: rate,
            max_delay_seconds: max,
            jitter: Jitter::None,
        }
    }

    #[test]
    fn backoff_matches_the_teststate_observation() {
        // TestState: retrierRetryCount 4, IntervalSeconds 1, BackoffRate 2.0 => 16 seconds.
        let mut rng = SeededRandom::new(0);
        assert_eq!(delay_seconds(&retrier(1, 2.0, None), 4, &mut rng), 16.0);
        assert_eq!(delay_seconds(&retrier(3, 1.5, None), 2, &mut rng), 6.75);
        assert_eq!(delay_seconds(&retrier(2, 2.0, Some(5)), 3, &mut rng), 5.0);
    }

    #[test]
    fn full_jitter_stays_within_the_capped_delay() {
        let mut r = retrier(10, 2.0, Some(30));
        r.jitter = Jitter::Full;
        let mut rng = SeededRandom::new(3);
        for n in 0..50 {
            let d = delay_seconds(&r, n % 5, &mut rng);
            assert!((0.0..=30.0).contains(&d), "{d}");
        }
    }

    #[test]
    fn matching_rules() {
        let all = vec![names::ALL.to_string()];
        assert!(matches(&all, "Custom"));
        assert!(matches(&all, names::DATA_LIMIT_EXCEEDED));
        assert!(!matches(&all, names::RUNTIME));
        assert!(!matches(&[names::RUNTIME.to_string()], names::RUNTIME));
        let tf = vec![names::TASK_FAILED.to_string()];
        assert!(matches(&tf, "Lambda.Unknown"));
        assert!(!matches(&tf, names::TIMEOUT));
        assert!(!matches(&["a".to_string()], "A"));
    }
}
