//! Human-readable numbers and plain-text tables for the terminal. Files keep exact values
//! (`format_amount`); only what people read in a terminal is rounded here.

use std::io::Write;

pub use flywheel_report::number::{count, group, short, zk, zk_exact};

/// How a column lines up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text.
    Left,
    /// Numbers.
    Right,
}

/// A plain-text table: a header, rows, and one alignment per column.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Column titles.
    pub header: Vec<String>,
    /// Alignment per column (missing ones are left-aligned).
    pub align: Vec<Align>,
    /// Cells.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column titles and alignments.
    pub fn new(header: &[&str], align: &[Align]) -> Self {
        Self {
            header: header.iter().map(|h| h.to_string()).collect(),
            align: align.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Adds a row.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Writes the table, columns separated by two spaces, a rule under the header.
    pub fn write(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let cols = self
            .rows
            .iter()
            .map(Vec::len)
            .chain([self.header.len()])
            .max()
            .unwrap_or(0);
        let width = |c: usize| {
            self.rows
                .iter()
                .chain([&self.header])
                .filter_map(|r| r.get(c))
                .map(|s| crate::term::safe(s).chars().count())
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..cols).map(width).collect();
        let line = |cells: &[String]| -> String {
            let mut s = String::new();
            for (c, w) in widths.iter().enumerate() {
                let cell = crate::term::safe(cells.get(c).map_or("", String::as_str));
                let pad = w - cell.chars().count();
                if c > 0 {
                    s.push_str("  ");
                }
                match self.align.get(c).copied().unwrap_or(Align::Left) {
                    Align::Left => {
                        s.push_str(&cell);
                        s.push_str(&" ".repeat(pad));
                    }
                    Align::Right => {
                        s.push_str(&" ".repeat(pad));
                        s.push_str(&cell);
                    }
                }
            }
            s.trim_end().to_string()
        };
        if !self.header.is_empty() {
            writeln!(out, "{}", line(&self.header))?;
            let total = widths.iter().sum::<usize>() + 2 * cols.saturating_sub(1);
            writeln!(out, "{}", "─".repeat(total))?;
        }
        for r in &self.rows {
            writeln!(out, "{}", line(r))?;
        }
        Ok(())
    }
}

/// `2026-11-29 18:04` (UTC) from Unix seconds: the demo's prose and the run store's listings.
pub use flywheel_protocol::governance::timeline::utc_minute;
