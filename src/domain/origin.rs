//! "Where from": the client address of an SSH login, else the terminal and host, plus
//! the process id. Built from values the caller reads from the environment.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// Client address and port from `SSH_CONNECTION` / `SSH_CLIENT`, e.g. `203.0.113.7:50122`.
    pub remote: Option<String>,
    /// The controlling terminal, e.g. `/dev/pts/3`.
    pub tty: Option<String>,
    pub host: Option<String>,
    pub pid: u32,
}

impl Origin {
    /// `ssh_connection` is "client_ip client_port server_ip server_port";
    /// `ssh_client` is "client_ip client_port server_port". Either may be absent or junk.
    pub fn from_parts(
        ssh_connection: Option<&str>,
        ssh_client: Option<&str>,
        tty: Option<String>,
        host: Option<String>,
        pid: u32,
    ) -> Origin {
        let remote = ssh_connection
            .and_then(client_address)
            .or_else(|| ssh_client.and_then(client_address));
        Origin {
            remote,
            tty,
            host,
            pid,
        }
    }

    /// One short line for screens and reports: the address when remote, else tty@host.
    pub fn summary(&self) -> String {
        match (&self.remote, &self.tty, &self.host) {
            (Some(remote), _, _) => format!("{remote} (ssh)"),
            (None, Some(tty), Some(host)) => format!("{tty} on {host}"),
            (None, None, Some(host)) => format!("{host} (pid {})", self.pid),
            (None, Some(tty), None) => tty.clone(),
            (None, None, None) => format!("local pid {}", self.pid),
        }
    }
}

fn client_address(value: &str) -> Option<String> {
    let mut parts = value.split_whitespace();
    let ip = parts.next()?;
    let port = parts.next()?;
    let ip_ok = ip.parse::<std::net::IpAddr>().is_ok();
    let port_ok = port.parse::<u16>().is_ok();
    (ip_ok && port_ok).then(|| {
        if ip.contains(':') {
            format!("[{ip}]:{port}")
        } else {
            format!("{ip}:{port}")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssh_connection_wins_and_junk_is_ignored() {
        let o = Origin::from_parts(
            Some("203.0.113.7 50122 10.0.0.1 22"),
            Some("198.51.100.1 1 22"),
            None,
            None,
            7,
        );
        assert_eq!(o.remote.as_deref(), Some("203.0.113.7:50122"));
        let o = Origin::from_parts(
            Some("rm -rf 22"),
            Some("2001:db8::1 4000 22"),
            None,
            None,
            7,
        );
        assert_eq!(o.remote.as_deref(), Some("[2001:db8::1]:4000"));
        let o = Origin::from_parts(None, None, Some("/dev/pts/1".into()), Some("srv".into()), 7);
        assert_eq!(o.summary(), "/dev/pts/1 on srv");
    }
}
