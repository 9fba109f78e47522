//! A one-line progress report on stderr while a large input is read: only when stderr is a
//! terminal and the output is not JSON, and only once reading has taken a second (a small input
//! never shows it). Written by hand: one line, no dependency.

use std::io::Write;
use std::time::{Duration, Instant};

/// How long reading goes on before the line appears, and how often it is redrawn.
const DELAY: Duration = Duration::from_secs(1);
const EVERY: Duration = Duration::from_millis(200);

/// Whether to show progress: stderr is a terminal and stdout is not JSON.
pub fn wanted(stderr_is_terminal: bool, json: bool) -> bool {
    stderr_is_terminal && !json
}

/// The progress line's state.
pub struct Progress {
    enabled: bool,
    started: Instant,
    drawn: Option<Instant>,
}

impl Progress {
    pub fn new(enabled: bool) -> Progress {
        Progress {
            enabled,
            started: Instant::now(),
            drawn: None,
        }
    }

    /// Redraws the line when it is due: bytes read of the current input (and its size when
    /// known), workloads judged so far.
    pub fn update(&mut self, read: u64, total: Option<u64>, workloads: usize) {
        if !self.enabled || self.started.elapsed() < DELAY {
            return;
        }
        if self.drawn.is_some_and(|t| t.elapsed() < EVERY) {
            return;
        }
        self.drawn = Some(Instant::now());
        let line = line(read, total, workloads, self.started.elapsed());
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[K{line}");
        let _ = err.flush();
    }

    /// Removes the line, if it was drawn (before anything else is written to stderr).
    pub fn clear(&mut self) {
        if self.drawn.take().is_some() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[K");
            let _ = err.flush();
        }
    }
}

/// The text of the line: `audit: 412 MiB of 1024 MiB (40%), 81234 workloads, 95 MiB/s`.
pub fn line(read: u64, total: Option<u64>, workloads: usize, elapsed: Duration) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    let mib = read as f64 / MIB;
    let rate = mib / elapsed.as_secs_f64().max(0.001);
    let of = match total {
        Some(t) if t > 0 => format!(
            " of {:.0} MiB ({:.0}%)",
            t as f64 / MIB,
            100.0 * read as f64 / t as f64
        ),
        _ => String::new(),
    };
    format!("audit: {mib:.0} MiB{of}, {workloads} workloads, {rate:.0} MiB/s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_on_a_terminal_and_never_for_json() {
        assert!(wanted(true, false));
        assert!(!wanted(false, false));
        assert!(!wanted(true, true));
    }

    #[test]
    fn the_line_says_how_far_and_how_fast() {
        let l = line(
            512 * 1024 * 1024,
            Some(1024 * 1024 * 1024),
            1000,
            Duration::from_secs(4),
        );
        assert_eq!(
            l,
            "audit: 512 MiB of 1024 MiB (50%), 1000 workloads, 128 MiB/s"
        );
        let l = line(3 * 1024 * 1024, None, 7, Duration::from_secs(1));
        assert_eq!(l, "audit: 3 MiB, 7 workloads, 3 MiB/s");
    }
}
