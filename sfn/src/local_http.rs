//! Plain HTTP/1.1 to an emulator on this machine: who it is, and moto's switch for running
//! executions. Only `http://` URLs; real AWS never comes here.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Sends one request; returns the status code and body.
pub fn request(method: &str, url: &str, path: &str, body: &str) -> Result<(u16, String), String> {
    let rest = url.strip_prefix("http://").ok_or_else(|| format!("{url}: only http:// URLs are probed"))?;
    let host = rest.split('/').next().unwrap_or(rest);
    let addr = host
        .to_socket_addrs()
        .map_err(|e| format!("{host}: {e}"))?
        .next()
        .ok_or_else(|| format!("{host}: no address"))?;
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(3)).map_err(|e| format!("{url}: {e}"))?;
    s.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| e.to_string())?;
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).map_err(|e| format!("{url}: {e}"))?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).map_err(|e| format!("{url}: {e}"))?;
    let text = String::from_utf8_lossy(&raw);
    let status =
        text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).ok_or_else(|| format!("{url}: not HTTP"))?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    Ok((status, body))
}

/// `moto` or `localstack` when the endpoint says it is one of them.
pub fn identify(url: &str) -> Option<String> {
    let ok = |path: &str| matches!(request("GET", url, path, ""), Ok((200, _)));
    if ok("/moto-api/data.json") {
        Some("moto".into())
    } else if ok("/_localstack/health") {
        Some("localstack".into())
    } else {
        None
    }
}

/// moto runs no execution until this is switched on (and then runs them in threads).
pub fn enable_moto_execution(url: &str) -> Result<(), String> {
    match request("POST", url, "/moto-api/config", r#"{"stepfunctions": {"execute_state_machine": true}}"#)? {
        (200..=299, _) => Ok(()),
        (code, body) => Err(format!("{url}/moto-api/config answered {code}: {body}")),
    }
}
