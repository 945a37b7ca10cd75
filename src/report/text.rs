//! Plain-text rendering of a [`Report`].

use super::{Outcome, Report};
use std::fmt;

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ind = serde_json::to_value(self.indication)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        write!(f, "{}: {}", self.object, ind)?;
        if let Some(sub) = self.sub_indication {
            write!(f, " / {}", sub.as_str())?;
        }
        writeln!(f)?;
        let at = self
            .validation_time
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        writeln!(f, "validation time: {at}")?;
        for (i, c) in self.checks.iter().enumerate() {
            let mark = match c.outcome {
                Outcome::Passed => "PASS",
                Outcome::Failed => "FAIL",
                Outcome::Indeterminate => "INDET",
                Outcome::Warning => "WARN",
            };
            write!(f, "{:>3}. [{mark:<5}] {}", i + 1, c.code)?;
            if let Some(s) = &c.subject {
                write!(f, " ({s})")?;
            }
            if let Some(sub) = c.sub_indication {
                write!(f, " {}", sub.as_str())?;
            }
            writeln!(f)?;
            writeln!(f, "       {}", c.reason.zh)?;
            writeln!(f, "       {}", c.reason.en)?;
        }
        Ok(())
    }
}
