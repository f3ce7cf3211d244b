//! A proposal's earliest timeline, from the governors' settings ([`super::params`], each cited
//! there): proposal, voting, queue, timelock and, for a ZIP, its L1 path (delivery, legal veto,
//! Security Council approval, upgrade delay). The last milestone is
//! [`GovernanceConfig::min_latency`] after the proposal, with Security Council approval and no
//! late-quorum extension.

use super::params::{GovernanceConfig, GovernorKind, UpgradeApproval};
use serde::Serialize;

/// One step of the timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Milestone {
    /// What happens.
    pub what: &'static str,
    /// Unix seconds.
    pub at: u64,
    /// Where the delay before it comes from.
    pub source: &'static str,
}

const PARAMS: &str = "governance::params (docs.zknation.io Schedule 1; ZIP-5, TPP-14, GAP-4)";
const PUH: &str = "zk-governance@58df93f:l1-contracts/src/ProtocolUpgradeHandler.sol";

/// The earliest timeline of a proposal to `kind` made at `proposed` (unix seconds).
pub fn timeline(cfg: &GovernanceConfig, kind: GovernorKind, proposed: u64) -> Vec<Milestone> {
    let p = cfg.params(kind);
    let mut t = proposed;
    let mut out = vec![Milestone {
        what: "proposed on Era (propose)",
        at: t,
        source: "",
    }];
    let step = |out: &mut Vec<Milestone>, t: &mut u64, d: u64, what, source| {
        *t = t.saturating_add(d);
        out.push(Milestone {
            what,
            at: *t,
            source,
        });
    };
    step(
        &mut out,
        &mut t,
        p.voting_delay,
        "voting opens (voting delay)",
        PARAMS,
    );
    step(
        &mut out,
        &mut t,
        p.voting_period,
        "voting closes (voting period; a late quorum extends it by the late-quorum extension)",
        PARAMS,
    );
    step(
        &mut out,
        &mut t,
        1,
        "queued in the governor's timelock",
        "OpenZeppelin Governor: queue after the deadline",
    );
    let tl = "timelock delay (getMinDelay; governance::params)";
    if kind.goes_through_l1() {
        step(
            &mut out,
            &mut t,
            p.timelock_delay,
            "executed on Era: the upgrade proposal is sent to L1 (sendToL1)",
            tl,
        );
        let u = &cfg.upgrade;
        step(
            &mut out,
            &mut t,
            u.l1_delivery_delay,
            "startUpgrade on Ethereum (the batch holding the message is executed on L1)",
            "model choice: governance::params::UpgradeParams::l1_delivery_delay",
        );
        step(
            &mut out,
            &mut t,
            u.legal_veto_period,
            "legal veto period ends (3 days; 7 if the Guardians extend it); the Security Council approves",
            PUH,
        );
        step(
            &mut out,
            &mut t,
            u.upgrade_delay,
            "executable on Ethereum (upgrade delay after approval): the change takes effect",
            PUH,
        );
    } else {
        step(
            &mut out,
            &mut t,
            p.timelock_delay,
            "executed on Era: the change takes effect",
            tl,
        );
    }
    out
}

/// Seconds from proposal to effect: the timeline's span, equal to
/// [`GovernanceConfig::min_latency`] with Security Council approval.
pub fn latency(cfg: &GovernanceConfig, kind: GovernorKind) -> u64 {
    cfg.min_latency(kind, UpgradeApproval::SecurityCouncil)
}

/// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days-from-civil), or
/// `None` for a month or day out of range.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> Option<i64> {
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `YYYY-MM-DD` (a year from 1970 to 9999) → unix seconds at 00:00 UTC, or why not.
pub fn parse_date(text: &str) -> Result<u64, &'static str> {
    let parts: Vec<&str> = text.trim().split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err("expected YYYY-MM-DD");
    };
    let (y, m, d) = match (y.parse::<i64>(), m.parse::<u32>(), d.parse::<u32>()) {
        (Ok(y), Ok(m), Ok(d)) if y.to_string().len() == 4 && m.to_string().len() <= 2 => (y, m, d),
        _ => return Err("expected YYYY-MM-DD"),
    };
    if !(1970..=9999).contains(&y) {
        return Err("the year must be between 1970 and 9999");
    }
    let days = days_from_civil(y, m, d).ok_or("no such day")?;
    u64::try_from(days)
        .map(|d| d * 86_400)
        .map_err(|_| "before 1970")
}

/// `YYYY-MM-DD HH:MM UTC` for unix seconds.
pub fn utc(t: u64) -> String {
    format!("{} UTC", utc_minute(i64::try_from(t).unwrap_or(i64::MAX)))
}

/// `YYYY-MM-DD HH:MM` (UTC) from signed Unix seconds: civil-from-days (H. Hinnant's algorithm,
/// proleptic Gregorian). One copy: the drafts' timelines, the demo's prose and the run store's
/// listings all print times so.
pub fn utc_minute(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}",
        rem / 3_600,
        rem % 3_600 / 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::Address;

    #[test]
    fn the_timeline_spans_the_minimum_latency_of_each_governor() {
        let cfg = GovernanceConfig::zk_nation(Address::ZERO, Address::ZERO);
        for kind in GovernorKind::ALL {
            let t = timeline(&cfg, kind, 1_000);
            assert_eq!(
                t.last().unwrap().at - 1_000,
                latency(&cfg, kind),
                "{kind:?}"
            );
            assert!(t.windows(2).all(|w| w[0].at <= w[1].at));
        }
        // 3 + 7 days + 1 s for a TPP; + 1 + 3 + 1 days for a ZIP (MODEL.md's 10 d + 1 s and 15 d + 1 s).
        assert_eq!(latency(&cfg, GovernorKind::Token), 10 * 86_400 + 1);
        assert_eq!(latency(&cfg, GovernorKind::Protocol), 15 * 86_400 + 1);
    }

    #[test]
    fn dates_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), Some(0));
        assert_eq!(days_from_civil(2026, 12, 8), Some(20_795));
        assert_eq!(utc(20_795 * 86_400 + 3_660), "2026-12-08 01:01 UTC");
        assert_eq!(days_from_civil(2025, 2, 29), None);
        assert_eq!(
            days_from_civil(2024, 2, 29).map(|d| utc(d as u64 * 86_400)),
            Some("2024-02-29 00:00 UTC".into())
        );
        assert_eq!(days_from_civil(2026, 13, 1), None);
    }
}
