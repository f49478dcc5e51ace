//! One row of README's budget table: what was measured, the figure, the budget, and whether the
//! figure is within it. The measuring child sends rows to the parent as tab-separated lines.

use std::time::Duration;

pub(super) struct Row {
    pub what: String,
    pub figure: String,
    pub budget: String,
    pub ok: bool,
}

impl Row {
    /// One tab-separated line, from the measuring child to the parent.
    pub fn line(&self) -> String {
        format!(
            "{}\t{}\t{}\t{}",
            self.what, self.figure, self.budget, self.ok
        )
    }

    pub fn parse(line: &str) -> Option<Self> {
        let mut f = line.split('\t');
        Some(Self {
            what: f.next()?.into(),
            figure: f.next()?.into(),
            budget: f.next()?.into(),
            ok: f.next()? == "true",
        })
    }
}

/// A duration as the table shows it, e.g. `12.3 ms`.
pub(super) fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}
