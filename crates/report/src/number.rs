//! Numbers as people read them, in tables and on chart axes. Files keep exact values
//! (`format_amount`); only what people read is rounded here.

use alloy_primitives::U256;
use flywheel_protocol::units::{format_amount, WEI_PER_TOKEN};

/// `1234567` → `1,234,567` (digits only; other text is returned as is).
pub fn group(digits: &str) -> String {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return digits.to_string();
    }
    let n = digits.len();
    let mut out = String::with_capacity(n + n / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count with thousands separators.
pub fn count(n: u64) -> String {
    group(&n.to_string())
}

/// An exact token amount with the integer part grouped (`182,500,000.000000000000000001`).
pub fn zk_exact(wei: U256) -> String {
    let s = format_amount(wei);
    match s.split_once('.') {
        Some((i, f)) => format!("{}.{f}", group(i)),
        None => group(&s),
    }
}

/// A token amount rounded for reading: two decimals from 1 ZK up, six below, trailing zeros
/// dropped (`182,500,000`, `2.5`, `0.000125`).
pub fn zk(wei: U256) -> String {
    if wei.is_zero() {
        return "0".into();
    }
    let decimals: u32 = if wei >= WEI_PER_TOKEN { 2 } else { 6 };
    let unit = U256::from(10u64).pow(U256::from(18 - decimals));
    let rounded = (wei.saturating_add(unit / U256::from(2u8))) / unit;
    if rounded.is_zero() {
        return "<0.000001".into();
    }
    let scale = U256::from(10u64).pow(U256::from(decimals));
    let int = group(&(rounded / scale).to_string());
    let frac = format!(
        "{:0>width$}",
        (rounded % scale).to_string(),
        width = decimals as usize
    );
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        int
    } else {
        format!("{int}.{frac}")
    }
}

/// A float for chart axes: `1.5k`, `20.82B`, `0.0145`.
pub fn short(v: f64) -> String {
    let a = v.abs();
    let (x, suffix) = if a >= 1e12 {
        (v / 1e12, "T")
    } else if a >= 1e9 {
        (v / 1e9, "B")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e3 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let text = if x == 0.0 {
        "0".to_string()
    } else if x.abs() >= 100.0 {
        format!("{x:.1}")
    } else if x.abs() >= 1.0 {
        format!("{x:.3}")
    } else {
        format!("{x:.4}")
    };
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    format!("{text}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use flywheel_protocol::units::tokens;

    #[test]
    fn groups_and_rounds() {
        assert_eq!(group("1234567"), "1,234,567");
        assert_eq!(group("123"), "123");
        assert_eq!(zk(tokens(182_500_000)), "182,500,000");
        assert_eq!(zk(tokens(5) / U256::from(2u8)), "2.5");
        assert_eq!(zk(U256::from(125_000_000_000_000u64)), "0.000125");
        assert_eq!(zk(U256::from(1u8)), "<0.000001");
        assert_eq!(
            zk(tokens(1) * U256::from(1005u32) / U256::from(1000u32)),
            "1.01"
        );
        assert_eq!(
            zk_exact(tokens(1_000) + U256::from(1u8)),
            "1,000.000000000000000001"
        );
        assert_eq!(short(20_817_600_000.0), "20.818B");
        assert_eq!(short(1500.0), "1.5k");
        assert_eq!(short(0.0), "0");
    }
}
