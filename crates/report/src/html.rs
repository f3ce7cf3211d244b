//! Self-contained HTML reports: the SVG charts inline, styles inline, no scripts and no
//! external resources, so a report opens offline and can be mailed as one file.

use crate::digest::{Digest, SeedCheck};
use flywheel_sim::scenario::Validated;
use flywheel_sim::summary::fidelity_name;

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An SVG document as an inline element: no XML prolog, and no namespace URL (inline SVG in
/// HTML needs none), so the report holds no external address at all.
pub fn inline_svg(svg: &str) -> String {
    let body = match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    };
    body.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
}

const STYLE: &str =
    "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:900px;color:#222}\
h1{margin-bottom:.2em}.meta{color:#666}\
table{border-collapse:collapse;margin:1em 0}td,th{padding:.25em .8em;border-bottom:1px solid #ddd}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\
.ok{color:#080;font-weight:bold}.bad{color:#b00;font-weight:bold}\
figure{margin:1.5em 0}svg{max-width:100%;height:auto}\
pre{background:#f6f6f6;padding:1em;overflow:auto;font-size:.85em}dd{margin:0 0 .6em 1.5em}";

/// Opens a report page with a title and a subtitle line.
pub fn page_start(title: &str, description: &str, meta: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>flywheel — {t}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{t}</h1>\n<p>{d}</p>\n<p class=\"meta\">{m}</p>\n",
        t = escape(title),
        d = escape(description),
        m = escape(meta),
    )
}

/// Closes a report page.
pub fn page_end() -> &'static str {
    "</body>\n</html>\n"
}

/// A figure holding an inline chart.
pub fn figure(title: &str, svg: &str) -> String {
    format!(
        "<figure>\n<figcaption>{}</figcaption>\n{}</figure>\n",
        escape(title),
        inline_svg(svg)
    )
}

/// A table from a header and rows; columns after the first are numeric (right-aligned).
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let cell = |tag: &str, i: usize, text: &str| {
        let class = if i > 0 { " class=\"n\"" } else { "" };
        format!("<{tag}{class}>{}</{tag}>", escape(text))
    };
    let mut s = String::from("<table>\n<tr>");
    for (i, h) in header.iter().enumerate() {
        s.push_str(&cell("th", i, h));
    }
    s.push_str("</tr>\n");
    for r in rows {
        s.push_str("<tr>");
        for (i, c) in r.iter().enumerate() {
            s.push_str(&cell("td", i, c));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</table>\n");
    s
}

/// Where each ZK flow goes, for the report's glossary: (flow, where it goes).
pub const GLOSSARY: [(&str, &str); 8] = [
    (
        "fixed ZK fee",
        "paid per call by users who choose the fixed fee (ZK_INTEROP_FEE); accrues to the source chain's operator, who claims it (claimZKFees). Not burned.",
    ),
    (
        "base-token fee",
        "paid per call in the chain's base token (interopProtocolFee); accrues to the operator (claimProtocolFees). A share of it may be sent to the Fee Flow pool (protocol.fee_flow_revenue_share_bps, an assumption).",
    ),
    (
        "settlement fee",
        "paid in ZK by the operator to Gateway for every call settled (gatewaySettlementFee); held in GWAssetTracker's vault until withdrawn to the Splitter (a sweep, every protocol.sweep_every_days).",
    ),
    (
        "Fee Flow bid",
        "the claimer pays the bid threshold in ZK to the Splitter and takes the pooled base-token fees.",
    ),
    (
        "Splitter",
        "splits what it receives: burn_bps of it is burned, the rest goes to the staking pot; rounding dust is burned.",
    ),
    (
        "burned",
        "removed from supply: the Splitter's burn of swept settlement fees and of Fee Flow bids.",
    ),
    (
        "minted",
        "new ZK from the staking seasons' capped minters, minted by the reward script to top the stakers' stream up to its target rate.",
    ),
    (
        "staking rewards",
        "what stakers receive: the Splitter's staking share plus the minted season rewards.",
    ),
];

/// The report of `flywheel run --out`: the inputs in full, the table of one coherent run, the
/// seed check, the glossary and the charts with what their bands' error is.
pub fn run_report(
    v: &Validated,
    runs: usize,
    d: &Digest,
    svgs: &[(&str, String)],
    bands_note: &str,
) -> String {
    let s = &v.scenario;
    let meta = format!(
        "runs {runs} · days {} · fidelity {} · seed {} · flywheel {}",
        s.days,
        fidelity_name(s.fidelity),
        s.seed,
        flywheel_sim::summary::VERSION
    );
    let mut html = page_start(&s.name, &s.description, &meta);
    html.push_str("<h2>Summary</h2>\n");
    html.push_str(&format!("<p class=\"meta\">{}</p>\n", escape(&d.note())));
    let rows: Vec<Vec<String>> = d
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![r.label.to_string(), r.median.clone()];
            if let Some(range) = &r.range {
                row.push(range.clone());
            }
            row
        })
        .collect();
    let value = d.value_header();
    let header: Vec<&str> = if runs > 1 {
        vec!["", &value, Digest::RANGE_HEADER]
    } else {
        vec!["", &value]
    };
    html.push_str(&table(&header, &rows));
    if let Some(c) = &d.seed {
        html.push_str(&format!(
            "<h2>Seed table check ({})</h2>\n",
            escape(c.preset)
        ));
        let mut t = table(&SeedCheck::HEADER, &[c.cells()]);
        let mark = if c.matches { "✓" } else { "✗" };
        let class = if c.matches { "ok" } else { "bad" };
        t = t.replace(
            &format!("<td class=\"n\">{mark}</td>"),
            &format!("<td class=\"n {class}\">{mark}</td>"),
        );
        html.push_str(&t);
    }
    html.push_str("<h2>Where the ZK goes</h2>\n<dl>\n");
    for (term, what) in GLOSSARY {
        html.push_str(&format!(
            "<dt><b>{}</b></dt><dd>{}</dd>\n",
            escape(term),
            escape(what)
        ));
    }
    html.push_str("</dl>\n");
    html.push_str("<h2>Charts</h2>\n");
    if runs > 1 {
        html.push_str("<p class=\"meta\">Lines are medians across runs; shaded bands span the 5th to 95th percentile.</p>\n");
    }
    html.push_str(&format!("<p class=\"meta\">{}</p>\n", escape(bands_note)));
    for (title, svg) in svgs {
        html.push_str(&figure(title, svg));
    }
    html.push_str("<h2>Inputs</h2>\n");
    html.push_str(&format!(
        "<p class=\"meta\">The resolved scenario (every default filled in), seed {}, fidelity {}, flywheel {}: save it as a file and run it with <code>flywheel run --scenario FILE</code> to reproduce this report.</p>\n",
        s.seed,
        fidelity_name(s.fidelity),
        flywheel_sim::summary::VERSION
    ));
    let toml = s
        .to_toml()
        .unwrap_or_else(|e| format!("# the scenario could not be written as TOML: {e}\n"));
    html.push_str(&format!("<pre>{}</pre>\n", escape(&toml)));
    html.push_str(page_end());
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_inlines() {
        assert_eq!(escape("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
        let svg = "<?xml version=\"1.0\"?>\n<svg width=\"1\" xmlns=\"http://www.w3.org/2000/svg\"><path/></svg>";
        assert_eq!(inline_svg(svg), "<svg width=\"1\"><path/></svg>");
    }
}
