//! `cargo xtask aws-setup`: deploys engines/aws/aslcheck-stack.yaml (the scripted Lambda and the
//! role Step Functions assumes to invoke it) with CloudFormation, waits for it, prints the
//! stack's outputs and writes them to target/aws-setup.json; `--delete` removes the stack.
//!
//! Real AWS is opt-in (`--aws` or `ASLCHECK_AWS=1`): it costs money. `--endpoint-url` points
//! the SDK at an emulator (moto's server, LocalStack) instead, with placeholder credentials when
//! the environment has none.

use anyhow::{bail, Context, Result};
use asl_sfn::api::error_chain;
use aws_config::Region;
use aws_sdk_cloudformation::config::Credentials;
use aws_sdk_cloudformation::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudformation::types::{Capability, Stack, StackEvent, StackStatus, Tag};
use aws_sdk_cloudformation::Client;
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// The outputs the template must have; the sfn engine reads them from target/aws-setup.json.
const OUTPUTS: [&str; 2] = ["ScriptedLambdaArn", "StateMachineRoleArn"];

#[derive(clap::Args)]
pub struct Args {
    /// AWS region (default: AWS_REGION or the profile's; us-east-1 with --endpoint-url).
    #[arg(long)]
    region: Option<String>,
    /// Name of the CloudFormation stack.
    #[arg(long, default_value = "aslcheck")]
    stack_name: String,
    /// A CloudFormation endpoint to use instead of AWS (moto's server, LocalStack).
    #[arg(long, value_name = "URL")]
    endpoint_url: Option<String>,
    /// Delete the stack (and the outputs file) instead of creating or updating it.
    #[arg(long)]
    delete: bool,
    /// Really talk to AWS (creates an IAM role and a Lambda function; runs cost money).
    /// ASLCHECK_AWS=1 does the same.
    #[arg(long, conflicts_with = "endpoint_url")]
    aws: bool,
    /// The template to deploy [default: engines/aws/aslcheck-stack.yaml].
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,
    /// Where to write the stack's outputs as JSON [default: target/aws-setup.json].
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Give up waiting for the stack after this many seconds.
    #[arg(long, default_value_t = 1800, value_name = "SECONDS")]
    timeout: u64,
}

pub fn run(args: Args) -> Result<ExitCode> {
    if args.endpoint_url.is_none() && !crate::engines::aws_opt_in(args.aws) {
        bail!(
            "aws-setup would talk to real AWS: it creates a CloudFormation stack with an IAM role and \
             a Lambda function in your account, and running aslcheck against them costs money. \
             Pass --aws (or set ASLCHECK_AWS=1) to go ahead, or --endpoint-url URL for an emulator"
        );
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(setup(args))?;
    Ok(ExitCode::SUCCESS)
}

/// Where the stack lives, for messages and the outputs file.
struct Target {
    stack: String,
    region: String,
    endpoint: Option<String>,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.endpoint {
            Some(url) => write!(f, "stack {} ({} at {url})", self.stack, self.region),
            None => write!(f, "stack {} (AWS, {})", self.stack, self.region),
        }
    }
}

async fn setup(args: Args) -> Result<()> {
    let root = crate::root();
    let mut loader = asl_sfn::api::aws_loader();
    // For AWS, without --region, the loader's own chain (environment, profile, instance
    // metadata) finds it; an emulator takes the environment's or us-east-1.
    let env_region = || ["AWS_REGION", "AWS_DEFAULT_REGION"].iter().find_map(|v| std::env::var(v).ok());
    match (&args.region, &args.endpoint_url) {
        (Some(r), _) => loader = loader.region(Region::new(r.clone())),
        (None, Some(_)) => loader = loader.region(Region::new(env_region().unwrap_or_else(|| "us-east-1".into()))),
        (None, None) => {}
    }
    if let Some(url) = &args.endpoint_url {
        loader = loader.endpoint_url(url);
        if std::env::var_os("AWS_ACCESS_KEY_ID").is_none() && std::env::var_os("AWS_PROFILE").is_none() {
            // Emulators accept any credentials; do not let the default chain probe for real ones.
            loader = loader.credentials_provider(Credentials::new("test", "test", None, None, "aslcheck-emulator"));
        }
    }
    let config = loader.load().await;
    let Some(region) = config.region() else {
        bail!("no AWS region: pass --region, or set AWS_REGION (or a region in your AWS profile)")
    };
    let target =
        Target { stack: args.stack_name.clone(), region: region.to_string(), endpoint: args.endpoint_url.clone() };
    let cf = Client::new(&config);
    let timeout = Duration::from_secs(args.timeout);
    let output = args.output.clone().unwrap_or_else(|| root.join("target/aws-setup.json"));

    if args.delete {
        delete(&cf, &target, timeout).await?;
        if output.exists() {
            std::fs::remove_file(&output).with_context(|| format!("removing {}", output.display()))?;
            println!("removed {}", output.display());
        }
        return Ok(());
    }

    let template_path = args.template.clone().unwrap_or_else(|| root.join("engines/aws/aslcheck-stack.yaml"));
    let body =
        std::fs::read_to_string(&template_path).with_context(|| format!("reading {}", template_path.display()))?;
    let stack = deploy(&cf, &target, &body, timeout).await?;
    let outputs: serde_json::Map<String, serde_json::Value> =
        stack.outputs().iter().filter_map(|o| Some((o.output_key()?.to_string(), json!(o.output_value()?)))).collect();
    let mut file = json!({
        "stack_name": target.stack,
        "stack_id": stack.stack_id(),
        "region": target.region,
        "endpoint_url": target.endpoint,
    });
    for key in OUTPUTS {
        let Some(value) = outputs.get(key) else {
            bail!("{target}: the stack has no output {key} (outputs: {:?})", outputs.keys().collect::<Vec<_>>())
        };
        println!("{key:<20}= {}", value.as_str().unwrap_or_default());
        file[key] = value.clone();
    }
    file["outputs"] = serde_json::Value::Object(outputs);
    if let Some(dir) = output.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(&output, serde_json::to_string_pretty(&file)? + "\n")
        .with_context(|| format!("writing {}", output.display()))?;
    println!("wrote {}", output.display());
    Ok(())
}

/// Creates the stack, or updates it, and waits until CloudFormation is done.
async fn deploy(cf: &Client, target: &Target, body: &str, timeout: Duration) -> Result<Stack> {
    let deadline = Instant::now() + timeout;
    let mut existing = describe(cf, &target.stack).await.with_context(|| format!("{target}: DescribeStacks"))?;
    if let Some(stack) = &existing {
        let status = status(stack);
        if status.ends_with("_IN_PROGRESS") {
            eprintln!("{target}: {status}; waiting for it to finish first");
            let id = stack.stack_id().unwrap_or(&target.stack).to_string();
            let done = wait(cf, target, &id, deadline).await?;
            existing = if status_is(&done, &StackStatus::DeleteComplete) { None } else { Some(done) };
        }
    }
    if let Some(stack) = &existing {
        if status_is(stack, &StackStatus::RollbackComplete) {
            // A stack whose creation failed can only be deleted.
            eprintln!("{target}: ROLLBACK_COMPLETE after a failed create; deleting it to create it again");
            delete(cf, target, timeout).await?;
            existing = None;
        }
    }
    let (id, verb, success) = match existing {
        None => {
            eprintln!("{target}: creating");
            let out = cf
                .create_stack()
                .stack_name(&target.stack)
                .template_body(body)
                .capabilities(Capability::CapabilityIam)
                .tags(Tag::builder().key("created-by").value("cargo xtask aws-setup").build())
                .send()
                .await
                .map_err(|e| sdk_error(target, "CreateStack", e))?;
            (out.stack_id().unwrap_or(&target.stack).to_string(), "CREATE", StackStatus::CreateComplete)
        }
        Some(stack) => {
            let id = stack.stack_id().unwrap_or(&target.stack).to_string();
            eprintln!("{target}: {}; updating", status(&stack));
            let sent = cf
                .update_stack()
                .stack_name(&id)
                .template_body(body)
                .capabilities(Capability::CapabilityIam)
                .tags(Tag::builder().key("created-by").value("cargo xtask aws-setup").build())
                .send()
                .await;
            match sent {
                Ok(_) => {}
                Err(e) if e.message().is_some_and(|m| m.contains("No updates are to be performed")) => {
                    eprintln!("{target}: up to date");
                    return Ok(stack);
                }
                Err(e) => return Err(sdk_error(target, "UpdateStack", e)),
            }
            (id, "UPDATE", StackStatus::UpdateComplete)
        }
    };
    let done = wait(cf, target, &id, deadline).await?;
    if !status_is(&done, &success) {
        return Err(failure(cf, target, &id, verb, &done).await);
    }
    eprintln!("{target}: {}", status(&done));
    Ok(done)
}

/// Deletes the stack and waits until it is gone.
async fn delete(cf: &Client, target: &Target, timeout: Duration) -> Result<()> {
    let Some(stack) = describe(cf, &target.stack).await.with_context(|| format!("{target}: DescribeStacks"))? else {
        println!("{target}: no such stack; nothing to delete");
        return Ok(());
    };
    let id = stack.stack_id().unwrap_or(&target.stack).to_string();
    eprintln!("{target}: deleting");
    cf.delete_stack().stack_name(&id).send().await.map_err(|e| sdk_error(target, "DeleteStack", e))?;
    let done = wait(cf, target, &id, Instant::now() + timeout).await?;
    if !status_is(&done, &StackStatus::DeleteComplete) {
        return Err(failure(cf, target, &id, "DELETE", &done).await);
    }
    println!("{target}: deleted");
    Ok(())
}

/// The stack by name or id; None when CloudFormation says it does not exist.
async fn describe(cf: &Client, name_or_id: &str) -> Result<Option<Stack>> {
    match cf.describe_stacks().stack_name(name_or_id).send().await {
        Ok(out) => Ok(out.stacks().first().cloned()),
        Err(e) if e.message().is_some_and(|m| m.contains("does not exist")) => Ok(None),
        Err(e) => Err(anyhow::anyhow!("{}", error_chain(&e))),
    }
}

/// Polls until the stack is in no `*_IN_PROGRESS` state; a stack that disappeared (an emulator
/// forgets deleted stacks) counts as DELETE_COMPLETE.
async fn wait(cf: &Client, target: &Target, id: &str, deadline: Instant) -> Result<Stack> {
    let mut last = String::new();
    loop {
        let stack = describe(cf, id).await.with_context(|| format!("{target}: DescribeStacks"))?;
        let Some(stack) = stack else {
            return Ok(Stack::builder().stack_status(StackStatus::DeleteComplete).build());
        };
        let now = status(&stack).to_string();
        if !now.ends_with("_IN_PROGRESS") {
            return Ok(stack);
        }
        if now != last {
            eprintln!("{target}: {now}");
            last = now;
        }
        if Instant::now() >= deadline {
            bail!("{target}: still {last} after the --timeout; it goes on in CloudFormation (see its events)");
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
}

/// The error for a stack operation that ended in `done` instead of success, with the reasons of
/// the failed resources from the stack's events.
async fn failure(cf: &Client, target: &Target, id: &str, verb: &str, done: &Stack) -> anyhow::Error {
    let mut events = Vec::new();
    let mut token = None;
    // Newest first; a page holds 100 events, and one operation rarely needs more than two.
    for _ in 0..5 {
        match cf.describe_stack_events().stack_name(id).set_next_token(token).send().await {
            Ok(page) => {
                events.extend(page.stack_events().iter().cloned());
                token = page.next_token().map(str::to_string);
            }
            Err(e) => {
                return anyhow::anyhow!(
                    "{target}: {verb} ended in {}; DescribeStackEvents failed too: {}",
                    status(done),
                    error_chain(&e)
                )
            }
        }
        if token.is_none() || started_at(&events, &target.stack, verb).is_some() {
            break;
        }
    }
    let mut message = format!("{target}: {verb} ended in {}", status(done));
    if let Some(reason) = done.stack_status_reason() {
        message += &format!(" ({reason})");
    }
    let reasons = failure_reasons(&events, &target.stack, verb);
    if reasons.is_empty() {
        message += "; the stack events give no reason";
    } else {
        message += "; failed resources, first failure first:";
        for r in reasons {
            message += "\n  ";
            message += &r;
        }
    }
    anyhow::anyhow!(message)
}

/// Index (in newest-first `events`) of the stack's own event that started this operation.
fn started_at(events: &[StackEvent], stack: &str, verb: &str) -> Option<usize> {
    let started = format!("{verb}_IN_PROGRESS");
    events.iter().position(|e| {
        e.resource_type() == Some("AWS::CloudFormation::Stack")
            && e.logical_resource_id() == Some(stack)
            && e.resource_status().map(|s| s.as_str()) == Some(started.as_str())
    })
}

/// `Logical (Type) STATUS: reason` for each failed event of the latest `verb` operation, oldest
/// first (so the root cause comes before the "Resource creation cancelled" that follow it).
fn failure_reasons(events: &[StackEvent], stack: &str, verb: &str) -> Vec<String> {
    let operation = &events[..started_at(events, stack, verb).unwrap_or(events.len())];
    operation
        .iter()
        .rev()
        .filter(|e| e.resource_status().is_some_and(|s| s.as_str().ends_with("_FAILED")))
        .map(|e| {
            format!(
                "{} ({}) {}: {}",
                e.logical_resource_id().unwrap_or("?"),
                e.resource_type().unwrap_or("?"),
                e.resource_status().map(|s| s.as_str()).unwrap_or("?"),
                e.resource_status_reason().unwrap_or("no reason given")
            )
        })
        .collect()
}

fn status(stack: &Stack) -> &str {
    stack.stack_status().map(|s| s.as_str()).unwrap_or("UNKNOWN")
}

fn status_is(stack: &Stack, want: &StackStatus) -> bool {
    stack.stack_status() == Some(want)
}

fn sdk_error<E, R>(target: &Target, operation: &str, e: SdkError<E, R>) -> anyhow::Error
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    anyhow::anyhow!("{target}: {operation} failed: {}", error_chain(&e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cloudformation::types::ResourceStatus;

    fn event(logical: &str, kind: &str, status: &str, reason: Option<&str>) -> StackEvent {
        StackEvent::builder()
            .logical_resource_id(logical)
            .resource_type(kind)
            .resource_status(ResourceStatus::from(status))
            .set_resource_status_reason(reason.map(str::to_string))
            .build()
    }

    #[test]
    fn failure_reasons_are_those_of_the_latest_operation_oldest_first() {
        let stack = "AWS::CloudFormation::Stack";
        let lambda = "AWS::Lambda::Function";
        let role = "AWS::IAM::Role";
        // Newest first, as DescribeStackEvents returns them; an older failed create below.
        let events = vec![
            event("aslcheck", stack, "ROLLBACK_COMPLETE", None),
            event("Role", role, "DELETE_COMPLETE", None),
            event("aslcheck", stack, "ROLLBACK_IN_PROGRESS", Some("The following resource(s) failed to create")),
            event("Role", role, "CREATE_FAILED", Some("Resource creation cancelled")),
            event("ScriptedLambda", lambda, "CREATE_FAILED", Some("Runtime python0.1 is not supported")),
            event("ScriptedLambda", lambda, "CREATE_IN_PROGRESS", None),
            event("aslcheck", stack, "CREATE_IN_PROGRESS", Some("User Initiated")),
            event("Old", role, "CREATE_FAILED", Some("an earlier attempt")),
            event("aslcheck", stack, "CREATE_IN_PROGRESS", Some("User Initiated")),
        ];
        assert_eq!(
            failure_reasons(&events, "aslcheck", "CREATE"),
            [
                "ScriptedLambda (AWS::Lambda::Function) CREATE_FAILED: Runtime python0.1 is not supported",
                "Role (AWS::IAM::Role) CREATE_FAILED: Resource creation cancelled",
            ]
        );
        assert_eq!(started_at(&events, "aslcheck", "CREATE"), Some(6));
        assert_eq!(started_at(&events, "aslcheck", "UPDATE"), None);
        // Without the start event (not on the pages read), every failure counts.
        assert_eq!(failure_reasons(&events[..5], "aslcheck", "CREATE").len(), 2);
        assert_eq!(failure_reasons(&events, "aslcheck", "UPDATE").len(), 3);
    }
}
