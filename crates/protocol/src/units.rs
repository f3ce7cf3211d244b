//! Token amounts: integer wei with 18 decimals, parsed and printed without floats.
//!
//! Every amount in the protocol is a `U256` count of wei. Human input such as `"10 ZK"`,
//! `"0.5"` or `"1_000 ETH"` is parsed digit by digit so that no value is ever rounded.

use alloy_primitives::U256;

/// Decimals of the ZK token and of every base token the model knows (ETH, ZK, custom ERC-20s
/// are all treated as 18-decimal assets). ZK has 18: ZkTokenV1 keeps `ERC20Upgradeable`'s
/// default (zk-governance@58df93f:l2-contracts/src/ZkTokenV1.sol); ETH has 18. Model choice:
/// every asset is read as 18-decimal. Fee Flow's Era whitelist
/// (zk-token-fee-flow@69e8d9a:script/EraFeeFlowDeploy.sol) includes USDC and USDC.e, 6-decimal
/// tokens; the devnet registers only ETH and ZK, and [`parse_amount`] would scale a `USDC`
/// amount by 10^18.
pub const DECIMALS: u32 = 18;

/// `10^18`: wei in one whole token.
pub const WEI_PER_TOKEN: U256 = U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]);

/// Why a human amount could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Nothing but whitespace was given.
    #[error("empty amount")]
    Empty,
    /// A character that is neither a digit, `_`, nor one decimal point.
    #[error("invalid amount {input:?}: {reason}")]
    Invalid {
        /// The text as given.
        input: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// More than 18 digits after the decimal point: the amount is finer than one wei.
    #[error("amount {input:?} has more than 18 decimal places (finer than 1 wei)")]
    TooPrecise {
        /// The text as given.
        input: String,
    },
    /// The value does not fit in 256 bits of wei.
    #[error("amount {input:?} overflows 256-bit wei")]
    Overflow {
        /// The text as given.
        input: String,
    },
}

/// `a × n`, or `None` past 256 bits: the per-call fee products. Below 2^64 (every fee and
/// count the model meets) the product is one 128-bit multiplication, which cannot overflow;
/// otherwise the exact 256-bit product. Both give the same bits (proptested).
#[inline]
pub fn mul_u64(a: U256, n: u64) -> Option<U256> {
    let [a0, a1, a2, a3] = *a.as_limbs();
    if a1 == 0 && a2 == 0 && a3 == 0 {
        return Some(U256::from(u128::from(a0) * u128::from(n)));
    }
    a.checked_mul(U256::from(n))
}

/// `floor(a × b / d)` for the fee and share arithmetic, with a 128-bit fast path: the values
/// the model meets (fees, shares in basis points) almost always fit, and a 256-bit division
/// costs several times a 128-bit one. Returns `None` when `d` is zero or the result overflows.
#[inline]
pub fn mul_div_floor(a: U256, b: u64, d: u64) -> Option<U256> {
    if d == 0 {
        return None;
    }
    if let Ok(a128) = u128::try_from(a) {
        if b == d {
            // ⌊a × d / d⌋ = a, and a × d < 2^192 cannot overflow (a 100% burn's split).
            return Some(a);
        }
        if let Some(p) = a128.checked_mul(u128::from(b)) {
            return Some(U256::from(if d == 1 { p } else { p / u128::from(d) }));
        }
    }
    a.checked_mul(U256::from(b)).map(|p| p / U256::from(d))
}

/// `n` whole tokens in wei (`n × 10^18`); exact for every `u64`.
pub fn tokens(n: u64) -> U256 {
    U256::from(n) * WEI_PER_TOKEN
}

/// Parses a human token amount into wei.
///
/// Accepts an optional unit suffix (`ZK`, `ETH`, or any alphabetic ticker, case-insensitive,
/// meaning whole tokens; `wei` meaning an integer count of wei), `_` digit separators, and at
/// most 18 decimals. Negative numbers, exponents and empty input are rejected.
pub fn parse_amount(input: &str) -> Result<U256, AmountError> {
    let trimmed = input.trim();
    let invalid = |reason| AmountError::Invalid {
        input: input.to_string(),
        reason,
    };
    let split = trimmed
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let number = number.trim();
    let unit = unit.trim();
    if number.is_empty() {
        let word = unit.split_whitespace().next().unwrap_or("");
        if word.is_empty() {
            return Err(AmountError::Empty);
        }
        if ["inf", "infinity", "nan"]
            .iter()
            .any(|w| word.eq_ignore_ascii_case(w))
        {
            return Err(invalid(
                "not a finite number: an amount is a decimal such as `10 ZK` or `0.5`",
            ));
        }
        return Err(invalid(
            "no number before the unit: an amount is a decimal such as `10 ZK` or `0.5`",
        ));
    }
    // `1e30 ZK`: the number stops at the `e`, so what follows looks like a unit.
    let mut after_e = unit.chars();
    if matches!(after_e.next(), Some('e' | 'E'))
        && after_e
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '+' || c == '-')
    {
        return Err(invalid(
            "exponents are not supported: write the amount out in digits (`1000000 ZK`, not `1e6 ZK`)",
        ));
    }
    if !unit.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(invalid(
            "expected one unit after the number, letters only, such as ZK or wei",
        ));
    }
    if unit.eq_ignore_ascii_case("e") {
        return Err(invalid("exponents are not supported"));
    }
    let in_wei = unit.eq_ignore_ascii_case("wei");
    let (int_part, frac_part) = match number.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (number, None),
    };
    let digits_ok = |s: &str| s.chars().all(|c| c.is_ascii_digit() || c == '_');
    if !digits_ok(int_part) || !frac_part.is_none_or(digits_ok) {
        return Err(invalid(
            "expected digits, '_' separators and at most one '.'",
        ));
    }
    let int_digits: String = int_part.chars().filter(|c| *c != '_').collect();
    let frac_digits: String = frac_part
        .unwrap_or("")
        .chars()
        .filter(|c| *c != '_')
        .collect();
    if int_digits.is_empty() && frac_digits.is_empty() {
        return Err(invalid("no digits"));
    }
    if in_wei && !frac_digits.is_empty() {
        return Err(AmountError::TooPrecise {
            input: input.to_string(),
        });
    }
    let decimals = if in_wei { 0 } else { DECIMALS as usize };
    if frac_digits.len() > decimals {
        return Err(AmountError::TooPrecise {
            input: input.to_string(),
        });
    }
    let overflow = || AmountError::Overflow {
        input: input.to_string(),
    };
    let mut value = U256::ZERO;
    let padded = format!("{int_digits}{frac_digits:0<decimals$}");
    for c in padded.chars() {
        let d = U256::from(c.to_digit(10).ok_or_else(|| invalid("expected a digit"))?);
        value = value
            .checked_mul(U256::from(10u8))
            .and_then(|v| v.checked_add(d))
            .ok_or_else(overflow)?;
    }
    Ok(value)
}

/// Prints wei as whole tokens with only the significant decimals (`10`, `0.5`,
/// `1.000000000000000001`), the exact inverse of [`parse_amount`] without a unit.
pub fn format_amount(wei: U256) -> String {
    let int = wei / WEI_PER_TOKEN;
    let frac = wei % WEI_PER_TOKEN;
    if frac.is_zero() {
        return int.to_string();
    }
    let frac = format!("{:0>18}", frac.to_string());
    format!("{int}.{}", frac.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_whole_and_fractional_amounts() {
        assert_eq!(parse_amount("10 ZK"), Ok(tokens(10)));
        assert_eq!(parse_amount("10zk"), Ok(tokens(10)));
        assert_eq!(parse_amount("0.5"), Ok(tokens(1) / U256::from(2)));
        assert_eq!(parse_amount(".25 ETH"), Ok(tokens(1) / U256::from(4)));
        assert_eq!(parse_amount("1_000"), Ok(tokens(1000)));
        assert_eq!(parse_amount("7 wei"), Ok(U256::from(7)));
        assert_eq!(
            parse_amount("0.000000000000000001"),
            Ok(U256::from(1)),
            "one wei"
        );
        assert_eq!(parse_amount("21000000000 ZK"), Ok(tokens(21_000_000_000)));
    }

    #[test]
    fn rejects_malformed_amounts() {
        assert_eq!(parse_amount(""), Err(AmountError::Empty));
        assert!(matches!(
            parse_amount("ZK"),
            Err(AmountError::Invalid { .. })
        ));
        assert!(matches!(
            parse_amount("-1"),
            Err(AmountError::Invalid { .. })
        ));
        assert!(matches!(
            parse_amount("1.2.3"),
            Err(AmountError::Invalid { .. })
        ));
        assert!(matches!(
            parse_amount("1e18"),
            Err(AmountError::Invalid { .. })
        ));
        assert!(matches!(
            parse_amount("0.0000000000000000001"),
            Err(AmountError::TooPrecise { .. })
        ));
        assert!(matches!(
            parse_amount("1.5 wei"),
            Err(AmountError::TooPrecise { .. })
        ));
        let reason = |text: &str| match parse_amount(text) {
            Err(AmountError::Invalid { reason, .. }) => reason,
            other => panic!("{text}: {other:?}"),
        };
        assert!(reason("inf ZK").contains("not a finite number"));
        assert!(reason("NaN").contains("not a finite number"));
        assert!(reason("1e30 ZK").contains("exponents are not supported"));
        assert!(reason("1E-3").contains("exponents are not supported"));
        assert!(reason("lots ZK").contains("no number before the unit"));
        assert!(reason("10 Z K").contains("one unit"));
        let huge = "9".repeat(80);
        assert!(matches!(
            parse_amount(&huge),
            Err(AmountError::Overflow { .. })
        ));
    }

    #[test]
    fn formats_significant_decimals_only() {
        assert_eq!(format_amount(tokens(10)), "10");
        assert_eq!(format_amount(tokens(1) / U256::from(2)), "0.5");
        assert_eq!(format_amount(U256::from(1)), "0.000000000000000001");
        assert_eq!(format_amount(U256::ZERO), "0");
    }

    proptest! {
        #[test]
        fn mul_div_matches_256_bit_arithmetic(limbs in any::<[u64; 4]>(), small in any::<u128>(), b in any::<u64>(), d in 1u64..) {
            for a in [U256::from_limbs(limbs), U256::from(small)] {
                let want = a.checked_mul(U256::from(b)).map(|p| p / U256::from(d));
                prop_assert_eq!(mul_div_floor(a, b, d), want);
                // b = d: the shortcut below 2^128, the full product above it.
                let same = a.checked_mul(U256::from(d)).map(|p| p / U256::from(d));
                prop_assert_eq!(mul_div_floor(a, d, d), same);
            }
            prop_assert_eq!(mul_div_floor(U256::from(small), b, 0), None);
        }

        /// The 128-bit fast path of `mul_u64` gives the exact 256-bit product's bits, below
        /// 2^64 (where it applies), just past it and anywhere else, overflow included.
        #[test]
        fn mul_u64_matches_256_bit_arithmetic(limbs in any::<[u64; 4]>(), a0 in any::<u64>(), hi in 1u64..4, n in any::<u64>()) {
            // Below 2^64, and one high limb set at a time (every limb the fast path checks).
            let cases = [
                U256::from_limbs(limbs),
                U256::from(a0),
                U256::from_limbs([a0, hi, 0, 0]),
                U256::from_limbs([a0, 0, hi, 0]),
                U256::from_limbs([a0, 0, 0, hi]),
                U256::MAX,
            ];
            for a in cases {
                prop_assert_eq!(mul_u64(a, n), a.checked_mul(U256::from(n)));
            }
        }

        #[test]
        fn format_then_parse_round_trips(limbs in any::<[u64; 4]>()) {
            let wei = U256::from_limbs(limbs);
            prop_assert_eq!(parse_amount(&format_amount(wei)), Ok(wei));
        }
    }
}
