//! A moto server of our own on 127.0.0.1, for tests and `xtask` commands: installed by
//! `engines/moto/install.sh` (pinned, into target/moto-venv), started on a free port, killed
//! when dropped.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct MotoServer {
    child: Child,
    pub url: String,
}

impl MotoServer {
    /// Starts moto (installing it first when needed) and switches execution on. `root` is the
    /// workspace root (where engines/moto lives).
    pub fn start(root: &Path) -> Result<MotoServer, String> {
        let server = install(root)?;
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("finding a free port: {e}"))?
            .port();
        let child = Command::new(&server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting {}: {e}", server.display()))?;
        let mut moto = MotoServer { child, url: format!("http://127.0.0.1:{port}") };
        let deadline = Instant::now() + Duration::from_secs(60);
        while super::local_http::request("GET", &moto.url, "/moto-api/data.json", "").is_err() {
            if let Ok(Some(status)) = moto.child.try_wait() {
                return Err(format!("moto exited at start ({status})"));
            }
            if Instant::now() > deadline {
                return Err(format!("moto did not answer on {} within 60 s", moto.url));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        super::local_http::enable_moto_execution(&moto.url)?;
        Ok(moto)
    }

    /// The moto server's process id (for peak-RSS readings).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// The moto_server binary: `ASLCHECK_MOTO_SERVER`, else what install.sh installs.
fn install(root: &Path) -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("ASLCHECK_MOTO_SERVER") {
        return Ok(PathBuf::from(p));
    }
    let script = root.join("engines/moto/install.sh");
    let out = Command::new(&script)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("running {}: {e}", script.display()))?;
    if !out.status.success() {
        return Err(format!("{} failed ({})", script.display(), out.status));
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
