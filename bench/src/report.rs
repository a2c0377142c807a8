//! Figures from both relays, side by side with their ratio.

use std::fmt::Write;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Lower,
    Higher,
}

/// One measured value of one relay.
#[derive(Debug, Clone)]
pub struct Figure {
    pub workload: &'static str,
    pub metric: &'static str,
    pub unit: &'static str,
    pub better: Better,
    pub value: f64,
}

impl Figure {
    pub fn ms(workload: &'static str, metric: &'static str, d: Duration) -> Self {
        Self {
            workload,
            metric,
            unit: "ms",
            better: Better::Lower,
            value: d.as_secs_f64() * 1000.0,
        }
    }

    pub fn new(
        workload: &'static str,
        metric: &'static str,
        unit: &'static str,
        better: Better,
        value: f64,
    ) -> Self {
        Self {
            workload,
            metric,
            unit,
            better,
            value,
        }
    }
}

/// The `p`th percentile (0–100, nearest rank) of `samples`.
pub fn percentile(samples: &[Duration], p: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    let mut sorted = samples.to_vec();
    sorted.sort();
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// A markdown table: one row per metric, linli beside samod, and the ratio
/// linli ÷ samod with which way is better.
pub fn table(linli: &[Figure], samod: &[Figure]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| workload | metric | linli | samod | linli ÷ samod | better |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---|");
    for f in linli {
        let other = samod
            .iter()
            .find(|g| g.workload == f.workload && g.metric == f.metric);
        let (theirs, ratio) = match other {
            Some(g) => (
                format_value(g.value, g.unit),
                if g.value > 0.0 {
                    format!("{:.2}", f.value / g.value)
                } else {
                    "–".into()
                },
            ),
            None => ("–".into(), "–".into()),
        };
        let better = match f.better {
            Better::Lower => "lower",
            Better::Higher => "higher",
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            f.workload,
            f.metric,
            format_value(f.value, f.unit),
            theirs,
            ratio,
            better
        );
    }
    out
}

fn format_value(v: f64, unit: &str) -> String {
    match unit {
        "ms" if v < 10.0 => format!("{v:.2} ms"),
        "ms" => format!("{v:.0} ms"),
        "B" if v >= 1024.0 * 1024.0 => format!("{:.1} MiB", v / (1024.0 * 1024.0)),
        "B" if v >= 1024.0 => format!("{:.1} KiB", v / 1024.0),
        "B" => format!("{v:.0} B"),
        "×" => format!("{v:.2}×"),
        u => format!("{v:.0} {u}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let s: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&s, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&s, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&s, 100.0), Duration::from_millis(100));
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
    }

    #[test]
    fn table_shows_the_ratio_linli_over_samod() {
        let l = [Figure::new("w", "m", "ms", Better::Lower, 2.0)];
        let s = [Figure::new("w", "m", "ms", Better::Lower, 4.0)];
        assert!(table(&l, &s).contains("| w | m | 2.00 ms | 4.00 ms | 0.50 | lower |"));
    }
}
