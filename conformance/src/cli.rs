//! What the command-line programs (`aslcheck`, `cargo xtask`) share.

/// `... | head` closes our stdout early and `println!` panics. Exit quietly
/// instead, as Unix tools do (141 = 128 + SIGPIPE). SIGPIPE itself stays ignored: a process
/// engine that dies must not kill the harness writing to it.
pub fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}
