//! The CLI's one error type. Every variant names what was wrong (a file, a field, a flag) so
//! that `main` can print it as a single `error: …` line, and says which exit code it deserves.

use flywheel_protocol::error::ProtocolError;
use flywheel_sim::ledger::SimError;
use flywheel_sim::scenario::ScenarioError;
use std::io;

/// Longest slice of user input quoted back in an error, so a pasted megabyte of hex does not
/// become a megabyte of stderr.
const MAX_QUOTED: usize = 80;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A value that does not parse as what its field needs (hex, address, number…).
    #[error("{}invalid {kind} {input:?}: {reason}", prefix(field))]
    BadValue {
        /// Where the value came from (`calls[0].to`, `--address`), or empty for the sole
        /// positional argument.
        field: String,
        /// What it should have been (`address`, `hex`, `wei amount`…).
        kind: &'static str,
        /// The offending text, shortened.
        input: String,
        /// Why it is not one.
        reason: String,
    },
    /// A structural problem with an input: a missing, extra or conflicting field.
    #[error("{field}: {message}")]
    Field {
        /// The field, object or file concerned.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// An input file that cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The path as given (`<stdin>` for `-`).
        path: String,
        /// The I/O error.
        source: io::Error,
    },
    /// An input file that is not JSON at all.
    #[error("{path}: malformed JSON: {source}")]
    Json {
        /// The path as given.
        path: String,
        /// The parser's error (with line and column).
        source: serde_json::Error,
    },
    /// Writing the output failed (a closed pipe is handled quietly by `main`).
    #[error("cannot write output: {0}")]
    Output(#[from] io::Error),
    /// A demo step the protocol rejected: a bug in the demo or the protocol, not the user's.
    #[error("demo step {step:?} failed: {source}")]
    Demo {
        /// The step being run.
        step: String,
        /// The protocol's reason (boxed: the error is large).
        source: Box<ProtocolError>,
    },
    /// A demo expectation that did not hold (a rejection that was accepted, a replay that
    /// diverged).
    #[error("demo check failed: {0}")]
    DemoCheck(String),
    /// A scenario that does not parse or validate; the message names the key.
    #[error("{}{source}", prefix(origin))]
    Scenario {
        /// Where the scenario came from (a file path), or empty.
        origin: String,
        /// The offending key and what is wrong with it.
        source: ScenarioError,
    },
    /// The simulation itself failed: a bug or an impossible configuration, not bad input.
    #[error("simulation failed: {0}")]
    Sim(SimError),
    /// Writing an output file failed.
    #[error("cannot write {path}: {source}")]
    WriteFile {
        /// The file.
        path: String,
        /// The I/O error.
        source: io::Error,
    },
    /// Drawing a chart failed (a bug in the renderer, never the data's fault).
    #[error("cannot draw {chart}: {reason}")]
    Chart {
        /// The chart's file name.
        chart: String,
        /// The renderer's error.
        reason: String,
    },
}

impl From<SimError> for CliError {
    /// A scenario problem found while running is still the input's fault (exit 2).
    fn from(e: SimError) -> Self {
        match e {
            SimError::Scenario(source) => Self::Scenario {
                origin: String::new(),
                source,
            },
            other => Self::Sim(other),
        }
    }
}

impl From<flywheel_report::ReportError> for CliError {
    /// The report's errors keep their messages: a destination or shard folder the user chose
    /// is theirs to fix (exit 2); a chart or JSON failure is ours (exit 1).
    fn from(e: flywheel_report::ReportError) -> Self {
        use flywheel_report::ReportError as R;
        match e {
            R::Field { field, message } => Self::Field { field, message },
            R::Chart { chart, reason } => Self::Chart { chart, reason },
            R::Json(e) => Self::Output(e.into()),
        }
    }
}

impl CliError {
    /// Builds a [`CliError::BadValue`], shortening the quoted input.
    pub fn bad_value(
        field: impl Into<String>,
        kind: &'static str,
        input: &str,
        reason: impl Into<String>,
    ) -> Self {
        let input = if input.chars().count() > MAX_QUOTED {
            let mut short: String = input.chars().take(MAX_QUOTED).collect();
            short.push('…');
            short
        } else {
            input.to_string()
        };
        Self::BadValue {
            field: field.into(),
            kind,
            input,
            reason: reason.into(),
        }
    }

    /// Builds a [`CliError::Field`].
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Field {
            field: field.into(),
            message: message.into(),
        }
    }

    /// 2 for anything the user can fix by changing the input (the clap convention for usage
    /// errors), 1 for failures that are ours.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::BadValue { .. }
            | Self::Field { .. }
            | Self::Read { .. }
            | Self::Json { .. }
            | Self::Scenario { .. } => 2,
            Self::Output(_)
            | Self::Demo { .. }
            | Self::DemoCheck(_)
            | Self::Sim(_)
            | Self::WriteFile { .. }
            | Self::Chart { .. } => 1,
        }
    }

    /// Whether this is a write to a closed pipe (`flywheel … | head`), which is not worth a
    /// message.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Self::Output(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

fn prefix(field: &str) -> String {
    if field.is_empty() {
        String::new()
    } else {
        format!("{field}: ")
    }
}

/// The message flattened to one line with every control character escapes: the contract is
/// exactly one line on stderr, and nested messages (serde's, I/O's, a scenario's) may quote
/// input holding newlines or terminal escape sequences.
pub fn one_line(err: &CliError) -> String {
    crate::term::safe(&err.to_string()).into_owned()
}
